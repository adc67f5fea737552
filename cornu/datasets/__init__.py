"""cornu.datasets: datasets in Keras's ``load_data()`` form.

``digits`` ships inside cornu; the others download through ``cornu.utils.get_file``.
"""
from cornu.datasets import digits  # noqa: F401
