"""The reference: the same models written by hand in PyTorch, trained the idiomatic way.

An ``nn.Module``, a ``torch.optim`` optimizer with ``foreach=True``, one
shuffled pass of index gathers per epoch, the loss on logits
(``F.cross_entropy``, ``binary_cross_entropy_with_logits``), and loss and
accuracy summed on the device and read once at the end of the epoch.
"""
import torch
import torch.nn.functional as F
from torch import nn

from bench import data
from bench.specs import SPECS
from bench.timing import time_calls, time_once


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(784, 512)
        self.dropout = nn.Dropout(0.2)
        self.out = nn.Linear(512, 10)

    def forward(self, x):  # (B, 784) -> logits (B, 10)
        return self.out(self.dropout(F.relu(self.hidden(x))))


class CNN(nn.Module):
    """mnist_convnet in NCHW, torch's native layout."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(32, 64, 3)
        self.dropout = nn.Dropout(0.5)
        self.out = nn.Linear(64 * 5 * 5, 10)

    def forward(self, x):                                # (B, 1, 28, 28)
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)       # (B, 32, 13, 13)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)       # (B, 64, 5, 5)
        return self.out(self.dropout(x.flatten(1)))      # logits (B, 10)


class LSTMNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(5000, 32)
        self.lstm = nn.LSTM(32, 100, batch_first=True)
        self.out = nn.Linear(100, 1)

    def forward(self, x):                     # (B, 200) word ids
        _, (h, _) = self.lstm(self.embedding(x))  # h: (1, B, 100), the last state
        return self.out(h[-1])                # logits (B, 1)


def keras_init(module):
    """Keras's default initializers (glorot_uniform kernels, orthogonal recurrent kernels,
    zero biases with the LSTM forget gate's at 1, uniform(+-0.05) embeddings), so both sides
    train the same model. It matters for speed: with torch's default init the LSTM's
    gradients decay into denormal floats, and CPU backward gets 3-5x slower."""
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.uniform_(m.weight, -0.05, 0.05)
        elif isinstance(m, nn.LSTM):
            units = m.hidden_size
            with torch.no_grad():
                kernel = torch.empty(m.input_size, 4 * units)     # Keras layout (in, 4u)
                nn.init.xavier_uniform_(kernel)
                m.weight_ih_l0.copy_(kernel.t())
                nn.init.orthogonal_(m.weight_hh_l0)               # (4u, u), as Keras's (u, 4u).T
                m.bias_ih_l0.zero_()
                m.bias_ih_l0[units:2 * units] = 1.0               # gates i, f, g, o
                m.bias_hh_l0.zero_()
    return module


def _class_hits(logits, y):
    return (logits.argmax(1) == y).sum()


def _onehot_hits(logits, y):
    return (logits.argmax(1) == y.argmax(1)).sum()


def _binary_hits(logits, y):
    return ((logits > 0).to(y.dtype) == y).sum()


def _adam(params):
    return torch.optim.Adam(params, lr=1e-3, eps=1e-7, foreach=True)  # Keras's defaults


# workload -> (module, optimizer, loss on logits, hits or None, layout of x)
SETUPS = {
    "mlp": (MLP, _adam, F.cross_entropy, _class_hits, None),
    "cnn": (CNN, _adam, F.cross_entropy, _onehot_hits, lambda x: x.permute(0, 3, 1, 2)),
    "lstm": (LSTMNet, _adam, F.binary_cross_entropy_with_logits, _binary_hits, None),
    "tiny": (lambda: nn.Linear(10, 1),
             lambda params: torch.optim.SGD(params, lr=0.01, foreach=True), F.mse_loss, None,
             None),
}


def train_epoch(model, optimizer, loss_fn, hits_fn, x, y, batch, device):
    """One shuffled epoch; returns (mean loss, accuracy) read once at the end."""
    x, y = x.to(device), y.to(device)
    n = x.shape[0]
    order = torch.randperm(n, device=device)
    loss_sum = torch.zeros((), device=device)
    hit_sum = torch.zeros((), device=device)
    model.train()
    for start in range(0, n, batch):
        index = order[start:start + batch]
        xb, yb = x[index], y[index]
        logits = model(xb)
        loss = loss_fn(logits, yb)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            loss_sum += loss * index.shape[0]
            if hits_fn is not None:
                hit_sum += hits_fn(logits, yb)
    return (loss_sum / n).item(), (hit_sum / n).item()


# keras.applications workloads -> the torchvision model of the same architecture.
TORCHVISION = {"resnet50": "resnet50", "effnetb0": "efficientnet_b0"}


def _torchvision_model(name):
    import torchvision
    return getattr(torchvision.models, name)(weights=None)


def _sgd(params):
    return torch.optim.SGD(params, lr=0.01, momentum=0.9, foreach=True)  # Keras's defaults


for _workload, _name in TORCHVISION.items():
    SETUPS[f"{_workload}_fit"] = (lambda _name=_name: _torchvision_model(_name), _sgd,
                                  F.cross_entropy, _class_hits, lambda x: x.permute(0, 3, 1, 2))


def run(workload, steps, warmup, sync, device):
    """Measure one workload by hand in torch; returns the JSON-able result of ``bench.run``."""
    torch.manual_seed(0)
    spec = SPECS[workload]
    if workload.removesuffix("_fit") in TORCHVISION:
        try:
            import torchvision  # noqa: F401
        except ImportError:
            return {"missing": ["torchvision"]}
        if workload in TORCHVISION:
            return _application(workload, steps, warmup, sync, device)
    if workload in SETUPS:
        return _fit(spec, steps, warmup, sync, device)
    if workload == "predict1":
        return _predict1(steps, warmup, sync, device)
    if workload == "layer_call":
        return _layer_call(steps, warmup, sync, device)
    raise ValueError(f"Workload {workload!r} has no torch reference.")


def _tensors(workload, n, seed, layout):
    x, y = data.make(workload, n, seed)
    x = torch.from_numpy(x)
    return (layout(x).contiguous() if layout else x), torch.from_numpy(y)


def _fit(spec, steps, warmup, sync, device):
    make_module, make_optimizer, loss_fn, hits_fn, layout = SETUPS[spec.name]
    model = keras_init(make_module()).to(device)
    optimizer = make_optimizer(model.parameters())
    if warmup:
        xw, yw = _tensors(spec.name, warmup * spec.batch, 1, layout)
        train_epoch(model, optimizer, loss_fn, hits_fn, xw, yw, spec.batch, device)
    x, y = _tensors(spec.name, steps * spec.batch, 0, layout)
    logs = []

    def epoch():
        logs.append(train_epoch(model, optimizer, loss_fn, hits_fn, x, y, spec.batch, device))
        sync(None)

    seconds = time_once(epoch)
    return {"times": {"step": seconds / steps}, "loss": logs[0][0]}


def _predict1(calls, warmup, sync, device):
    # Softmax included: the Keras model outputs probabilities.
    model = nn.Sequential(keras_init(MLP()), nn.Softmax(-1)).to(device).eval()
    x1 = data.make("predict1", 1)[0]  # (1, 784)
    xt = torch.from_numpy(x1).to(device)

    def call():
        with torch.no_grad():
            return model(xt)

    def predict():  # numpy in, numpy out, as model.predict
        with torch.no_grad():
            return model(torch.from_numpy(x1).to(device)).cpu().numpy()

    return {"times": {"model(x)": time_calls(call, calls, warmup, sync),
                      "predict": time_calls(predict, calls, warmup, sync)}}


def _layer_call(calls, warmup, sync, device):
    x, kernel, bias = data.layer_call()
    xt = torch.from_numpy(x).to(device)
    weight = torch.tensor(kernel.T, device=device, requires_grad=True)  # (out, in), as nn.Linear
    b = torch.tensor(bias, device=device, requires_grad=True)
    return {"times": {
        "linear": time_calls(lambda: F.linear(xt, weight, b), calls, warmup, sync),
        "relu": time_calls(lambda: F.relu(F.linear(xt, weight, b)), calls, warmup, sync),
    }}


def _application(workload, calls, warmup, sync, device):
    """torchvision's model in eval mode, no_grad, on batches of 1 and 32 (NCHW) images;
    numpy in and out, as ``predict_on_batch``."""
    model = _torchvision_model(TORCHVISION[workload]).to(device).eval()
    times = {}
    for batch in (1, 32):
        x = data.make(workload, batch)[0]

        def predict():
            with torch.no_grad():
                xt = torch.from_numpy(x).to(device).permute(0, 3, 1, 2)
                return model(xt).softmax(-1).cpu().numpy()

        times[f"batch{batch}"] = time_calls(predict, calls, warmup, sync)
    return {"times": times}
