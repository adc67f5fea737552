"""cornu.ops: Keras 3's ``keras.ops``. Each op runs eagerly on backend tensors and,
given KerasTensors, records a node in the layer graph."""
from cornu.ops.core import *  # noqa: F401,F403
from cornu.ops.numpy import *  # noqa: F401,F403
from cornu.ops.nn import *  # noqa: F401,F403
from cornu.ops.math import *  # noqa: F401,F403
from cornu.ops.linalg import *  # noqa: F401,F403
from cornu.ops.einops import *  # noqa: F401,F403
from cornu.ops import core, numpy, nn, math, linalg, image, einops  # noqa: F401
