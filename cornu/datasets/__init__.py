"""cornu.datasets: small datasets in Keras's ``load_data()`` form."""
