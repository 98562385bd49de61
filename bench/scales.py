"""The catalogue sizes a bench run knows, and the database each is seeded into."""

DEFAULT_SCALE = 1_000_000
SMALL_SCALE = 10_000


def database_name(base: str, scale: int) -> str:
    return base if scale == DEFAULT_SCALE else f"{base}_{scale}"
