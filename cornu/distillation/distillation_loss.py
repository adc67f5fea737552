"""Distillation losses: how a student's outputs are compared with its teacher's."""
from cornu import ops, tree


def _as_loss_function(loss):
    """A loss name becomes the loss function Keras's ``losses.get`` returns; others pass."""
    if loss is None or not isinstance(loss, str):
        return loss
    from cornu import losses
    function = losses.get(loss)
    if function is None:
        raise ValueError(f"Unknown loss function: '{loss}'. Use a name such as 'mse' or "
                         "'kl_divergence', or a loss instance.")
    return function


def _losses_structure(loss, owner):
    structure = tree.map_structure(_as_loss_function, loss)
    if all(item is None for item in tree.flatten(structure)):
        raise ValueError(f"The `loss` argument of {owner} must contain at least one non-`None` value; "
                         f"received {loss!r}.")
    return structure


def _sum_over_outputs(apply_loss, loss, teacher_outputs, student_outputs):
    values = tree.flatten(tree.map_structure(apply_loss, loss, teacher_outputs, student_outputs))
    return ops.sum(ops.stack([ops.cast(v, "float32") for v in values]))


def _serialize_losses(loss):
    from cornu import losses
    return tree.map_structure(lambda item: None if item is None else losses.serialize(item), loss)


def _deserialize_losses(config):
    from cornu import losses
    if isinstance(config, (list, tuple)):
        return [_deserialize_losses(item) for item in config]
    return None if config is None else losses.deserialize(config)


class DistillationLoss:
    """Base class of distillation losses.

    A distillation loss compares teacher and student outputs (or intermediate
    features). Subclass it and override `compute_loss` for a custom one.
    """

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """Computes the distillation loss between teacher and student outputs.

        Args:
            teacher_outputs: The teacher's outputs: a tensor or a structure of them.
            student_outputs: The student's outputs, of the same structure.
            **kwargs: Extra arguments for custom losses.

        Returns:
            A scalar loss tensor.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement compute_loss(teacher_outputs, "
                                  "student_outputs).")

    def validate_outputs(self, teacher_outputs, student_outputs):
        """Checks that teacher and student outputs have the same structure.

        Raises:
            ValueError: If the structures differ.
        """
        tree.assert_same_structure(teacher_outputs, student_outputs)

    def validate_model_compatibility(self, teacher, student):
        """Checks that this loss can be used with ``teacher`` and ``student`` (no check by default).

        Args:
            teacher: The teacher model.
            student: The student model.
        """


class FeatureDistillation(DistillationLoss):
    """Distills features: the outputs of a teacher layer against those of a student layer.

    Args:
        loss: A loss name (``"mse"``, ``"cosine_similarity"``, ...), a loss
            instance, or a structure of them matching the features (``None``
            entries skip an output; at least one must be set). Defaults to ``"mse"``.
        teacher_layer_name: The teacher layer whose output is distilled; the
            teacher's final output when ``None``.
        student_layer_name: The student layer compared with it; the student's
            final output when ``None``.

    Example:

    >>> FeatureDistillation(loss="mse", teacher_layer_name="dense_1", student_layer_name="dense_1")
    """

    def __init__(self, loss="mse", teacher_layer_name=None, student_layer_name=None):
        self.teacher_layer_name = teacher_layer_name
        self.student_layer_name = student_layer_name
        self.loss = _losses_structure(loss, "FeatureDistillation")

    def validate_model_compatibility(self, teacher, student):
        """Checks that named layers exist, in Functional or Sequential models.

        Raises:
            ValueError: If a model is subclassed (no symbolic inputs) or lacks the layer.
        """
        if self.teacher_layer_name is None and self.student_layer_name is None:
            return
        subclassed = [role for role, model in (("teacher", teacher), ("student", student))
                      if getattr(model, "inputs", None) is None]
        if subclassed:
            raise ValueError(
                f"FeatureDistillation with layer names needs Functional or Sequential models; the "
                f"{' and '.join(subclassed)} model(s) are subclassed (no symbolic inputs/outputs). Use "
                "Functional models, drop the layer names to distill final outputs, or use LogitsDistillation.")
        for role, model, name in (("teacher", teacher, self.teacher_layer_name),
                                  ("student", student, self.student_layer_name)):
            if name is not None:
                try:
                    model.get_layer(name=name)
                except ValueError as e:
                    raise ValueError(f"In {role} model: {e}") from e

    def validate_outputs(self, teacher_outputs, student_outputs):
        """Checks that the features and the ``loss`` structure match.

        Raises:
            ValueError: If teacher, student and loss structures differ.
        """
        super().validate_outputs(teacher_outputs, student_outputs)
        try:
            tree.assert_same_structure(self.loss, teacher_outputs)
        except ValueError as e:
            raise ValueError(f"FeatureDistillation: the loss structure {self.loss!r} does not match the "
                             f"structure of the features: {e}") from e

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """The sum over outputs of the mean of ``loss(teacher_features, student_features)``.

        Args:
            teacher_outputs: The teacher's features.
            student_outputs: The student's features.
            **kwargs: Ignored.

        Returns:
            A scalar loss tensor.
        """
        def apply_loss(loss_fn, teacher, student):
            return 0.0 if loss_fn is None else ops.mean(loss_fn(teacher, student))
        return _sum_over_outputs(apply_loss, self.loss, teacher_outputs, student_outputs)

    def get_config(self):
        """The constructor arguments, as JSON-friendly data."""
        return {"loss": _serialize_losses(self.loss), "teacher_layer_name": self.teacher_layer_name,
                "student_layer_name": self.student_layer_name}

    @classmethod
    def from_config(cls, config):
        """Makes the loss from `get_config`'s output."""
        return cls(**{**config, "loss": _deserialize_losses(config["loss"])})


class LogitsDistillation(DistillationLoss):
    """Distills logits: teacher and student outputs are divided by a temperature and compared.

    With a `KLDivergence` loss instance both are turned into probabilities by a
    softmax and the divergence is multiplied by ``temperature ** 2``. Any other
    loss (including the ``"kl_divergence"`` name, which resolves to the plain
    function, as in Keras) receives the scaled logits themselves.

    Args:
        temperature: Positive softening temperature. Defaults to 3.0.
        loss: A loss name, a loss instance, or a structure of them matching the
            outputs (``None`` entries skip an output). Defaults to ``"kl_divergence"``.

    Example:

    >>> LogitsDistillation(temperature=4.0, loss=cornu.losses.KLDivergence())
    """

    def __init__(self, temperature=3.0, loss="kl_divergence"):
        self.temperature = temperature
        self.loss = _losses_structure(loss, "LogitsDistillation")
        if isinstance(temperature, bool) or not isinstance(temperature, (int, float)):
            raise ValueError(f"temperature must be a number, got {type(temperature).__name__}.")
        if temperature <= 0.0:
            raise ValueError(f"temperature must be positive; received {temperature}.")

    def compute_loss(self, teacher_outputs, student_outputs, **kwargs):
        """The sum over outputs of the temperature-scaled loss.

        Args:
            teacher_outputs: The teacher's logits: a tensor, list or dict of them.
            student_outputs: The student's logits, of the same structure.
            **kwargs: Ignored.

        Returns:
            A scalar loss tensor.
        """
        from cornu.losses import KLDivergence
        scale = self.temperature

        def apply_loss(loss_fn, teacher, student):
            if loss_fn is None:
                return 0.0
            teacher, student = ops.divide(teacher, scale), ops.divide(student, scale)
            if isinstance(loss_fn, KLDivergence):
                teacher, student = ops.softmax(teacher, axis=-1), ops.softmax(student, axis=-1)
                return ops.mean(loss_fn(teacher, student)) * scale ** 2
            return ops.mean(loss_fn(teacher, student))
        return _sum_over_outputs(apply_loss, self.loss, teacher_outputs, student_outputs)

    def get_config(self):
        """The constructor arguments, as JSON-friendly data."""
        return {"temperature": self.temperature, "loss": _serialize_losses(self.loss)}

    @classmethod
    def from_config(cls, config):
        """Makes the loss from `get_config`'s output."""
        return cls(**{**config, "loss": _deserialize_losses(config["loss"])})
