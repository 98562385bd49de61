"""The naive CRUD baseline that `make bench` measures the CQRS design against; not for production."""
