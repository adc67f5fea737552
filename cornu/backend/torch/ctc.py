"""CTC prefix beam search (``ctc_decode(strategy="beam_search")``) on torch tensors.

Each beam is a label prefix with two log-probabilities: of the paths that end in a blank
(``p_blank``) and of those that end in the prefix's last label (``p_label``). A step extends
every prefix by every class, merges the prefixes that became equal (log-sum-exp) and keeps
the ``beam_width`` most probable. Labels repeated without a blank between them merge,
whatever ``merge_repeated`` says, as in Keras.
"""
import torch

_NEG_INF = -float("inf")


def _merge(scores, inverse, n):
    """Log-sum-exp of ``scores`` grouped by ``inverse`` into ``n`` groups."""
    peak = torch.full((n,), _NEG_INF, dtype=scores.dtype, device=scores.device)
    peak = peak.scatter_reduce(0, inverse, scores, "amax")
    shift = torch.where(torch.isfinite(peak), peak, torch.zeros_like(peak))
    total = torch.zeros(n, dtype=scores.dtype, device=scores.device)
    total = total.index_add(0, inverse, torch.exp(scores - shift[inverse]))
    return torch.log(total) + shift


def _step(paths, lengths, p_blank, p_label, logp, blank):
    """Every prefix extended by every class at one time step, equal prefixes merged."""
    k, steps = paths.shape
    classes = logp.shape[0]
    rows = torch.arange(k, device=paths.device)
    last = torch.where(lengths > 0, paths[rows, (lengths - 1).clamp(min=0)], -1)  # (K,)
    either = torch.logaddexp(p_blank, p_label)
    # the prefix unchanged: a blank, or the last label again with no blank before it
    stay_blank = either + logp[blank]
    stay_label = torch.where(lengths > 0, p_label + logp[last.clamp(min=0)], _NEG_INF)
    # the prefix grown by label c; after the same label only the blank-ending paths grow
    labels = torch.tensor([c for c in range(classes) if c != blank], device=paths.device)
    source = torch.where(labels[None, :] == last[:, None], p_blank[:, None], either[:, None])
    grow = (source + logp[labels][None, :]).reshape(-1)  # (K * (C-1),)
    grown = paths.repeat_interleave(len(labels), 0)
    grown_len = lengths.repeat_interleave(len(labels))
    slot = grown_len.clamp(max=steps - 1)
    grown[torch.arange(len(grown), device=paths.device), slot] = labels.repeat(k)
    all_paths = torch.cat([paths, grown])
    all_len = torch.cat([lengths, grown_len + 1])
    all_blank = torch.cat([stay_blank, torch.full_like(grow, _NEG_INF)])
    all_label = torch.cat([stay_label, grow])
    unique, inverse = torch.unique(all_paths, dim=0, return_inverse=True)
    n = unique.shape[0]
    new_len = torch.zeros(n, dtype=lengths.dtype, device=paths.device).scatter(0, inverse, all_len)
    return unique, new_len, _merge(all_blank, inverse, n), _merge(all_label, inverse, n)


def _prune(paths, lengths, p_blank, p_label, width):
    order = torch.argsort(torch.logaddexp(p_blank, p_label), descending=True, stable=True)
    keep = order[:width]
    return paths[keep], lengths[keep], p_blank[keep], p_label[keep]


def beam_search(log_probs, sequence_lengths, beam_width, top_paths, blank):
    """The ``top_paths`` most probable label sequences of each batch item.

    Args:
        log_probs: ``(batch, max_time, num_classes)`` log-softmax scores.
        sequence_lengths: ``(batch,)`` ints, the valid steps of each item.
        beam_width: Prefixes kept after each step.
        top_paths: Sequences returned per item.
        blank: The blank class index.

    Returns:
        ``(decoded, scores)``: ``(top_paths, batch, max_time)`` int32 labels padded with -1,
        and ``(batch, top_paths)`` log-probabilities (``-inf`` where fewer sequences exist).
    """
    batch, steps, classes = log_probs.shape
    device = log_probs.device
    decoded = torch.full((top_paths, batch, steps), -1, dtype=torch.int32, device=device)
    scores = torch.full((batch, top_paths), _NEG_INF, dtype=log_probs.dtype, device=device)
    if log_probs.is_meta:
        return decoded, scores
    for b, length in enumerate(sequence_lengths.tolist()):
        logp = log_probs[b]
        # step 0: the empty prefix (a blank) and one prefix per label
        paths = torch.full((classes, steps), -1, dtype=torch.long, device=device)
        labels = torch.tensor([c for c in range(classes) if c != blank], device=device)
        paths[1:, 0] = labels
        lengths = (paths[:, 0] >= 0).long()
        p_blank = torch.full((classes,), _NEG_INF, dtype=logp.dtype, device=device)
        p_blank[0] = logp[0, blank]
        p_label = torch.cat([p_blank.new_full((1,), _NEG_INF), logp[0, labels]])
        beams = _prune(paths, lengths, p_blank, p_label, beam_width)
        for t in range(1, int(length)):
            beams = _prune(*_step(*beams, logp[t], blank), beam_width)
        paths, _, p_blank, p_label = _prune(*beams, top_paths)
        found = paths.shape[0]
        decoded[:found, b] = paths.to(torch.int32)
        scores[b, :found] = torch.logaddexp(p_blank, p_label)
    return decoded, scores
