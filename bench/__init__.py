"""`make bench`: seed a big catalogue, measure the CQRS app beside a naive CRUD baseline, report."""
