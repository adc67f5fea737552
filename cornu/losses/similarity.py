"""Metric-learning losses over pairs of embeddings: Circle."""
from cornu import ops
from cornu.losses.loss import LossFunctionWrapper


def build_pos_neg_masks(query_labels, key_labels, remove_diagonal=True):
    """Boolean ``(n_query, n_key)`` masks of the pairs with the same label (positives)
    and with different labels (negatives); ``remove_diagonal`` drops each query's pair
    with itself (entry ``[i, i]``) from the positives."""
    if len(query_labels.shape) == 1:
        query_labels = ops.reshape(query_labels, (-1, 1))
    if len(key_labels.shape) == 1:
        key_labels = ops.reshape(key_labels, (-1, 1))
    positive = ops.equal(query_labels, ops.transpose(key_labels))
    negative = ops.logical_not(positive)
    if remove_diagonal:
        n_query, n_key = int(ops.size(query_labels)), int(ops.size(key_labels))
        positive = ops.logical_and(
            positive, ops.logical_not(ops.eye(n_query, n_key, k=0, dtype="bool")))
    return positive, negative


def circle(y_true, y_pred, ref_labels=None, ref_embeddings=None, remove_diagonal=True,
           gamma=80, margin=0.4):
    """The Circle loss (Sun et al., 2020, https://arxiv.org/abs/2002.10857) of
    L2-normalised embeddings against reference embeddings (by default the batch itself).

    With cosine distances ``d = max(1 - y_pred @ ref^T, 0)``, each positive pair is
    weighted by ``max(margin + d, 0)`` and each negative pair by ``max(1 + margin - d,
    0)``; per query, ``loss = softplus(logsumexp(-gamma * w_p * (margin - d_p)) +
    logsumexp(gamma * w_n * (1 - margin - d_n)))``. The result carries a Keras mask of
    ``loss > 0``, so the averaging reductions average over those queries only.

    Args:
        y_true: Integer labels, shape ``(N,)`` or ``(N, 1)``.
        y_pred: L2-normalised embeddings, shape ``(N, D)``.
        ref_labels: Integer labels of the reference embeddings; defaults to ``y_true``.
        ref_embeddings: L2-normalised reference embeddings ``(M, D)``; defaults to
            ``y_pred``.
        remove_diagonal: Boolean. Leave out each embedding's pair with itself from the
            positives. Defaults to True.
        gamma: Float. The scale of the similarities. Defaults to 80.
        margin: Float. The relaxation margin. Defaults to 0.4.

    Returns:
        The loss of each query, shape ``(N,)``.

    Example:

    >>> e = cornu.ops.normalize(cornu.random.normal((4, 8)))
    >>> cornu.losses.circle([0, 0, 1, 1], e)  # shape (4,)
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, "int32")
    ref_embeddings = y_pred if ref_embeddings is None else ops.convert_to_tensor(
        ref_embeddings, dtype=ops.dtype(y_pred))
    ref_labels = y_true if ref_labels is None else ops.cast(ref_labels, "int32")
    distances = ops.maximum(1 - ops.matmul(y_pred, ops.transpose(ref_embeddings)), 0.0)
    positive, negative = build_pos_neg_masks(y_true, ref_labels, remove_diagonal)
    pos_weights = ops.maximum((margin + distances) * ops.cast(positive, distances.dtype), 0.0)
    neg_weights = ops.maximum((1 + margin - distances) * ops.cast(negative, distances.dtype),
                              0.0)
    pos_logits = -gamma * pos_weights * (margin - distances)
    neg_logits = gamma * neg_weights * ((1 - margin) - distances)
    minus_inf = float("-inf")
    pos_loss = ops.logsumexp(ops.where(positive, pos_logits, minus_inf), axis=1)
    neg_loss = ops.logsumexp(ops.where(negative, neg_logits, minus_inf), axis=1)
    loss = ops.softplus(pos_loss + neg_loss)
    loss._keras_mask = loss > 0
    return loss


class Circle(LossFunctionWrapper):
    """The Circle loss between integer labels and L2-normalised embeddings (see
    `circle`): pulls same-label embeddings together and pushes the others apart, each
    pair weighted by how far it is from its optimum.

    End the model with a linear ``Dense`` and ``UnitNormalization`` so its outputs are
    unit-norm embeddings.

    Args:
        gamma: Float. The scale of the similarities. Defaults to 80.
        margin: Float. The relaxation margin. Defaults to 0.4.
        remove_diagonal: Boolean. Leave out self-pairs from the positives. Defaults to True.
        reduction, name, dtype: as for ``cornu.losses.Loss``.

    Example:

    ```python
    model = cornu.Sequential([cornu.Input((16,)), cornu.layers.Dense(8),
                              cornu.layers.UnitNormalization()])
    model.compile(optimizer="adam", loss=cornu.losses.Circle())
    ```
    """

    def __init__(self, gamma=80.0, margin=0.4, remove_diagonal=True,
                 reduction="sum_over_batch_size", name="circle", dtype=None):
        super().__init__(circle, name=name, reduction=reduction, dtype=dtype, gamma=gamma,
                         margin=margin, remove_diagonal=remove_diagonal)
