# Production image: gunicorn on :9000, runtime dependencies only, non-root.
FROM python:3.13-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=9000

RUN groupadd --system app \
    && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app \
    && mkdir /app \
    && chown app:app /app
WORKDIR /app

COPY requirements.txt constraints.txt ./
RUN pip install -r requirements.txt -c constraints.txt

COPY --chown=app:app . .
USER app

# Static files are baked into the image; the key only lets settings load for this step.
RUN SECRET_KEY=build-only-not-a-secret DEBUG=0 python manage.py collectstatic --noinput -v 0

EXPOSE 9000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '9000'), timeout=4)"]

ENTRYPOINT ["scripts/entrypoint.sh"]
CMD ["web"]
