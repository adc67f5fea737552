"""Augmentation policies that chain other augmentation layers: RandAugment and AugMix,
as Keras 3's. Active when training (the default of a direct call), the identity
otherwise.

The chosen operations are drawn in Python (from a ``random.Random(seed)``, or the
global ``random`` module, which ``cornu.utils.set_random_seed`` seeds), so only the
chosen layers run; their parameters come from the policy's own seed stream."""
import random

from cornu import backend, ops
from cornu.layers._preprocessing._augmentation import (
    RandomBrightness, RandomContrast, RandomRotation, RandomTranslation, _Augmentation,
    _factor_pair)
from cornu.layers._preprocessing._color import (
    AutoContrast, Equalization, RandomColorDegeneration, RandomPosterization, Solarization,
    _value_range)
from cornu.layers._preprocessing._filters import RandomSharpness
from cornu.layers._preprocessing._geometric import RandomShear

__all__ = ["RandAugment", "AugMix"]

_INTERPOLATIONS = ("nearest", "bilinear")


class _Policy(_Augmentation):
    """The operations (Keras's names and order), built from one strength ``factor``."""

    def _init_policy(self, value_range, factor, interpolation, seed, names):
        where = f"{type(self).__name__} '{self.name}'"
        self.value_range = _value_range(where, value_range, sort=False)
        self.factor = _factor_pair(where, "factor", factor, (0, 1))
        if interpolation not in _INTERPOLATIONS:
            raise ValueError(f"{where}: `interpolation` must be one of {_INTERPOLATIONS}; "
                             f"received interpolation={interpolation!r}.")
        self.interpolation = interpolation
        self._init_seed(seed)
        self._rng = random.Random(seed) if seed is not None else random
        f, common = self.factor, {"data_format": self.data_format}
        colour = dict(common, value_range=value_range)
        geometric = dict(common, interpolation=interpolation)
        makers = {
            "random_shear": lambda: RandomShear(x_factor=f, y_factor=f, **geometric),
            "random_translation": lambda: RandomTranslation(f, f, **geometric),
            "random_rotation": lambda: RandomRotation(f, **geometric),
            "random_brightness": lambda: RandomBrightness(f, **colour),
            "random_color_degeneration": lambda: RandomColorDegeneration(f, **colour),
            "random_contrast": lambda: RandomContrast(f, **colour),
            "random_sharpness": lambda: RandomSharpness(f, **colour),
            "random_posterization": lambda: RandomPosterization(
                max(1, int(8 * f[1])), **colour),
            "solarization": lambda: Solarization(f, f, **colour),
            "auto_contrast": lambda: AutoContrast(**colour),
            "equalization": lambda: Equalization(**colour),
        }
        self._operations = []
        for name in names:
            layer = makers[name]()
            layer.generator = self.generator  # every draw from the policy's stream
            self._operations.append(layer)

    def _run(self, images, chain, masks):
        """``images`` through ``chain``, a list of (layer, drawn parameters)."""
        for layer, drawn in chain:
            images = layer._transform(images, drawn, masks)
        return images


class RandAugment(_Policy):
    """Applies ``num_ops`` operations in a row, each picked at random (with
    replacement, one pick for the whole batch) from shear, translation, rotation,
    brightness, colour degeneration, contrast, sharpness, posterization, solarization,
    auto-contrast and equalization, all of strength ``factor``.

    Args:
        value_range: the (min, max) range of the pixel values.
        num_ops: how many operations to apply.
        factor: the strength of the operations: a number in [0, 1] (the range
            ``[0, f]``) or a pair.
        interpolation: ``"bilinear"`` or ``"nearest"``, for the geometric operations.
        seed: an int for a reproducible stream of picks and draws.
        data_format: ``"channels_last"`` or ``"channels_first"``.

    Example:
        >>> layer = RandAugment(num_ops=2, factor=0.5, seed=1)
        >>> layer(np.random.uniform(0, 255, (4, 32, 32, 3))).shape
        (4, 32, 32, 3)
    """

    _NAMES = ("random_shear", "random_translation", "random_rotation", "random_brightness",
              "random_color_degeneration", "random_contrast", "random_sharpness",
              "random_posterization", "solarization", "auto_contrast", "equalization")

    def __init__(self, value_range=(0, 255), num_ops=2, factor=0.5, interpolation="bilinear",
                 seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if isinstance(num_ops, bool) or not isinstance(num_ops, int) or num_ops < 0:
            raise ValueError(f"RandAugment '{self.name}': `num_ops` must be an int >= 0; "
                             f"received num_ops={num_ops!r}.")
        self.num_ops = num_ops
        self._init_policy(value_range, factor, interpolation, seed, self._NAMES)

    def _draw(self, images):
        picks = [self._rng.randrange(len(self._operations)) for _ in range(self.num_ops)]
        return [(self._operations[i], self._operations[i]._draw(images)) for i in picks]

    def _transform(self, images, chain, masks):
        return self._run(images, chain, masks)


class AugMix(_Policy):
    """AugMix: ``num_chains`` chains of up to ``chain_depth`` random operations (each
    step picks one of the operations or none; the same picks for the whole batch) are
    mixed with Dirichlet(``alpha``) weights, and the mix is blended with the original
    images with a Beta(``alpha``, ``alpha``) weight, then clipped to ``value_range``.

    Args:
        value_range: the (min, max) range of the pixel values.
        num_chains: how many chains are mixed.
        chain_depth: the most operations in a chain.
        factor: the strength of the operations: a number in [0, 1] (the range
            ``[0, f]``) or a pair.
        alpha: the concentration of the Dirichlet and Beta distributions.
        all_ops: also use brightness, colour degeneration, contrast and sharpness
            (else only shear, translation, rotation, posterization, solarization,
            auto-contrast and equalization).
        interpolation: ``"bilinear"`` or ``"nearest"``, for the geometric operations.
        seed: an int for a reproducible stream of picks and draws.
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """

    _NAMES = ("random_shear", "random_translation", "random_rotation", "random_posterization",
              "solarization", "auto_contrast", "equalization")
    _EXTRA = ("random_brightness", "random_color_degeneration", "random_contrast",
              "random_sharpness")

    def __init__(self, value_range=(0, 255), num_chains=3, chain_depth=3, factor=0.3,
                 alpha=1.0, all_ops=True, interpolation="bilinear", seed=None,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        where = f"AugMix '{self.name}'"
        for name, value in (("num_chains", num_chains), ("chain_depth", chain_depth)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{where}: `{name}` must be an int >= 1; received "
                                 f"{name}={value!r}.")
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError(f"{where}: `alpha` must be a positive number; received "
                             f"alpha={alpha!r}.")
        self.num_chains = num_chains
        self.chain_depth = chain_depth
        self.alpha = alpha
        self.all_ops = all_ops
        self._init_policy(value_range, factor, interpolation, seed,
                          self._NAMES + (self._EXTRA if all_ops else ()))

    def _draw(self, images):
        gamma = backend.random.gamma((self.num_chains,), self.alpha, dtype="float32",
                                     seed=self.generator)
        chain_weights = gamma / ops.sum(gamma)  # Dirichlet(alpha, ..., alpha)
        blend = backend.random.beta((), self.alpha, self.alpha, dtype="float32",
                                    seed=self.generator)
        options = len(self._operations) + 1  # the last one: no operation
        chains = []
        for _ in range(self.num_chains):
            picks = [self._rng.randrange(options) for _ in range(self.chain_depth)]
            chains.append([(self._operations[i], self._operations[i]._draw(images))
                           for i in picks if i < len(self._operations)])
        return chain_weights, blend, chains

    def _transform(self, images, params, masks):
        chain_weights, blend, chains = params
        images = ops.cast(images, "float32") if masks else images
        chain_weights = ops.cast(chain_weights, images.dtype)
        blend = ops.cast(blend, images.dtype)
        mixed = 0.0
        for index, chain in enumerate(chains):
            mixed = mixed + self._run(images, chain, masks) * chain_weights[index]
        out = blend * images + (1.0 - blend) * mixed
        if masks:
            return out
        return ops.clip(out, self.value_range[0], self.value_range[1])
