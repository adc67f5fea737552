"""Benchmarks: cornu against hand-written PyTorch and against Keras 3, as ratios in one run.

    python -m bench                      # every workload, the table
    python -m bench --workloads mlp,tiny --repeats 5 --keras-python /path/to/python
    python -m bench.run mlp cornu        # one measurement in this process, one JSON line

``specs`` says what each workload is, ``workloads`` writes it once against the
Keras API (run on cornu and on real Keras 3), ``torch_ref`` writes it by hand in
PyTorch, ``run`` measures one (workload, implementation) in a fresh process and
``__main__`` runs those processes interleaved and prints the table.
"""
