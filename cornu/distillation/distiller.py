"""Distiller: a model that trains a student on labels and on a frozen teacher's outputs."""
from cornu import ops, tree
from cornu.distillation.distillation_loss import DistillationLoss, _as_loss_function
from cornu.models.model import Model

_FINAL = "final_output"


def _check_same(teacher_values, student_values, what, check):
    if teacher_values is None or student_values is None:
        return
    tree.map_structure(lambda t, s: check(t, s, what), list(teacher_values), list(student_values))


def _check_shapes(teacher, student, what):
    t, s = tuple(teacher.shape), tuple(student.shape)
    if len(t) != len(s) or any(a is not None and b is not None and a != b for a, b in zip(t, s)):
        raise ValueError(f"Teacher and student {what} shapes are incompatible. Teacher: {t}, Student: {s}. "
                         "All dimensions must match (None matches anything).")


def _check_dtypes(teacher, student, what):
    if teacher.dtype != student.dtype:
        raise ValueError(f"Teacher and student {what} dtypes must match. Teacher: {teacher.dtype}, "
                         f"Student: {student.dtype}.")


class Distiller(Model):
    """Trains a student model from a teacher model (knowledge distillation).

    The loss is ``student_loss_weight * student_loss + (1 - student_loss_weight) *
    sum(weight_i * distillation_loss_i)``: the compiled loss on the labels, and the
    distillation losses between teacher and student outputs or features. The
    teacher is frozen; calling the distiller calls the student. Logs include
    ``student_loss``, ``distillation_loss`` and ``total_loss``.

    Args:
        teacher: The trained teacher `Model` (frozen here).
        student: The `Model` to train.
        distillation_losses: A `DistillationLoss` (e.g. `LogitsDistillation`,
            `FeatureDistillation`) or a list of them.
        distillation_loss_weights: One weight per distillation loss; all 1.0 when ``None``.
        student_loss_weight: Weight in ``[0, 1]`` of the supervised loss. Defaults to 0.5.
        name: The distiller's name. Defaults to ``"distiller"``.
        **kwargs: Passed to `Model`.

    Example:

    >>> distiller = Distiller(teacher, student, LogitsDistillation(temperature=3.0))
    >>> distiller.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    >>> distiller.fit(x, y, epochs=3)
    >>> trained = distiller.student
    """

    def __init__(self, teacher, student, distillation_losses, distillation_loss_weights=None,
                 student_loss_weight=0.5, name="distiller", **kwargs):
        super().__init__(name=name, **kwargs)
        self._validate_models(teacher, student)
        self.teacher = teacher
        self.student = student
        if isinstance(student_loss_weight, bool) or not isinstance(student_loss_weight, (int, float)):
            raise ValueError(f"student_loss_weight must be a number, got {type(student_loss_weight).__name__}.")
        if not 0.0 <= student_loss_weight <= 1.0:
            raise ValueError(f"student_loss_weight must be between 0.0 and 1.0, got {student_loss_weight}.")
        self.student_loss_weight = student_loss_weight
        if distillation_losses is None:
            raise ValueError("'distillation_losses' cannot be `None`. Provide a distillation loss (e.g. "
                             "LogitsDistillation or FeatureDistillation) or a list of them.")
        if not isinstance(distillation_losses, (list, tuple)):
            distillation_losses, distillation_loss_weights = [distillation_losses], [1.0]
        distillation_losses = list(distillation_losses)
        if distillation_loss_weights is None:
            distillation_loss_weights = [1.0] * len(distillation_losses)
        elif len(distillation_loss_weights) != len(distillation_losses):
            raise ValueError(f"Number of distillation_loss_weights ({len(distillation_loss_weights)}) must match "
                             f"number of distillation_losses ({len(distillation_losses)}).")
        for loss in distillation_losses:
            if not isinstance(loss, DistillationLoss):
                raise TypeError(f"Each distillation loss must be a cornu.distillation.DistillationLoss; "
                                f"received {type(loss).__name__}.")
            loss.validate_model_compatibility(teacher, student)
        self.distillation_losses = distillation_losses
        self.distillation_loss_weights = list(distillation_loss_weights)
        self._teacher_feature_extractor = self._feature_extractor(teacher, "teacher_layer_name")
        self._student_feature_extractor = self._feature_extractor(student, "student_layer_name")
        self.teacher.trainable = False
        from cornu.metrics import Mean
        self.student_loss_tracker = Mean(name="student_loss")
        self.distillation_loss_tracker = Mean(name="distillation_loss")
        self.total_loss_tracker = Mean(name="total_loss")

    # ------------------------------------------------------------ validation and features

    def _validate_models(self, teacher, student):
        for role, model in (("Teacher", teacher), ("Student", student)):
            if not isinstance(model, Model):
                raise ValueError(f"{role} must be a cornu.Model, got {type(model).__name__}.")
        t_in, s_in = getattr(teacher, "inputs", None), getattr(student, "inputs", None)
        t_out, s_out = getattr(teacher, "outputs", None), getattr(student, "outputs", None)
        _check_same(t_in, s_in, "input", _check_shapes)
        _check_same(t_out, s_out, "output", _check_shapes)
        _check_same(t_in, s_in, "input", _check_dtypes)
        if t_in is not None and s_in is not None:
            _check_same(t_out, s_out, "output", _check_dtypes)

    def _feature_extractor(self, model, attribute):
        """One model giving the final output and every named layer's output, in one pass."""
        names = []
        for loss in self.distillation_losses:
            name = getattr(loss, attribute, None)
            if name and name not in names:
                names.append(name)
        if not names:
            return None
        if getattr(model, "inputs", None) is None:
            raise ValueError(f"Cannot extract features from {model.name}: the model has no symbolic inputs.")
        from cornu.models import Sequential
        final = model.layers[-1].output if isinstance(model, Sequential) else model.output
        outputs = {_FINAL: final}
        for name in names:
            outputs[name] = model.get_layer(name=name).output
        return Model(inputs=model.inputs, outputs=outputs, name=f"{model.name}_multi_feature_extractor")

    def _features(self, extractor, model, x, training, y_pred=None):
        if extractor is not None:
            return extractor(x, training=training)
        return {_FINAL: model(x, training=training) if y_pred is None else y_pred}

    def _pick(self, loss, features, attribute):
        name = getattr(loss, attribute, None) or _FINAL
        if name not in features:
            raise ValueError(f"Layer '{name}' not found in extracted features. Available: {list(features)}")
        return features[name]

    # ------------------------------------------------------------ training

    def compile(self, optimizer="adam", loss=None, metrics=None, **kwargs):
        """Configures training of the student.

        Args:
            optimizer: Optimizer for the student's weights. Defaults to ``"adam"``.
            loss: The student's supervised loss (a name, function or instance, or a
                structure of them for several outputs). Required.
            metrics: A list of metrics on the student's predictions.
            **kwargs: Passed to `Model.compile`.
        """
        if loss is None:
            raise ValueError("'loss' cannot be `None`: give the student's supervised loss, e.g. "
                             "loss='sparse_categorical_crossentropy'.")
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise ValueError(f"metrics must be a list or tuple, got {type(metrics).__name__}.")
        self._student_loss = tree.map_structure(_as_loss_function, loss)
        self._student_loss_for_serialization = loss
        super().compile(optimizer=optimizer, loss=None, metrics=metrics, **kwargs)

    def call(self, inputs, training=None, **kwargs):
        """The student's predictions."""
        return self.student(inputs, training=training, **kwargs)

    @property
    def metrics(self):
        """The loss tracker and compiled metrics, then student, distillation and total loss."""
        return list(super().metrics) + [self.student_loss_tracker, self.distillation_loss_tracker,
                                        self.total_loss_tracker]

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The weighted sum of the student loss and the distillation losses.

        Args:
            x: Input data.
            y: Targets for the student loss.
            y_pred: The student's predictions (computed from ``x`` when ``None``).
            sample_weight: Unused, as in Keras.
            training: Whether in training mode.

        Returns:
            The scalar total loss.
        """
        if y_pred is None:
            y_pred = self(x, training=training)
        student_loss = 0.0
        if self.student_loss_weight > 0.0 and y is not None:
            values = tree.flatten(tree.map_structure(lambda fn, target, pred: fn(target, pred),
                                                     self._student_loss, y, y_pred))
            student_loss = ops.sum(ops.stack(values)) if len(values) > 1 else values[0]
            if len(ops.shape(student_loss)) > 0:
                student_loss = ops.mean(student_loss)
        distillation_loss = 0.0
        if self.student_loss_weight < 1.0:
            teacher_features = self._features(self._teacher_feature_extractor, self.teacher, x, False)
            student_features = self._features(self._student_feature_extractor, self.student, x, True, y_pred)
            for loss, weight in zip(self.distillation_losses, self.distillation_loss_weights):
                if getattr(loss, "teacher_layer_name", None) is not None:
                    try:
                        teacher_out = self._pick(loss, teacher_features, "teacher_layer_name")
                        student_out = self._pick(loss, student_features, "student_layer_name")
                    except ValueError as e:
                        raise RuntimeError(
                            f"Failed to extract features for {type(loss).__name__} targeting teacher layer "
                            f"'{loss.teacher_layer_name}' and student layer '{loss.student_layer_name}'. "
                            f"Original error: {e}") from e
                else:
                    teacher_out, student_out = teacher_features[_FINAL], y_pred
                loss.validate_outputs(teacher_out, student_out)
                value = loss.compute_loss(teacher_out, student_out)
                if len(ops.shape(value)) > 0:
                    raise ValueError(f"Distillation loss {type(loss).__name__} returned a non-scalar loss of "
                                     f"shape {tuple(ops.shape(value))}; compute_loss must return a scalar.")
                distillation_loss = ops.add(distillation_loss, ops.multiply(weight, value))
        total_loss = ops.add(ops.multiply(self.student_loss_weight, student_loss),
                             ops.multiply(1.0 - self.student_loss_weight, distillation_loss))
        self.student_loss_tracker.update_state(student_loss)
        self.distillation_loss_tracker.update_state(distillation_loss)
        self.total_loss_tracker.update_state(total_loss)
        return total_loss

    def reset_metrics(self):
        """Resets every metric, the distillation trackers included."""
        for metric in self.metrics:
            metric.reset_state()

    # ------------------------------------------------------------ config

    def get_config(self):
        """Teacher, student, distillation losses and weights, as JSON-friendly data."""
        from cornu.saving.serialization import serialize_keras_object
        return {"name": self.name, "trainable": self.trainable,
                "teacher": serialize_keras_object(self.teacher),
                "student": serialize_keras_object(self.student),
                "distillation_losses": [serialize_keras_object(loss) for loss in self.distillation_losses],
                "distillation_loss_weights": self.distillation_loss_weights,
                "student_loss_weight": self.student_loss_weight}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Makes a distiller from `get_config`'s output (teacher and student get new weights)."""
        from cornu import distillation
        from cornu.saving.serialization import deserialize_keras_object, known_layer_classes
        config = dict(config)
        models = known_layer_classes()
        for role in ("teacher", "student"):
            config[role] = deserialize_keras_object(config[role], module_objects=models,
                                                    custom_objects=custom_objects)
        losses = {name: getattr(distillation, name) for name in
                  ("DistillationLoss", "FeatureDistillation", "LogitsDistillation")}
        config["distillation_losses"] = [deserialize_keras_object(c, module_objects=losses,
                                                                  custom_objects=custom_objects)
                                         for c in config["distillation_losses"]]
        return cls(**config)
