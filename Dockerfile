# Stats Service image: the README's production commands, in a container.
#   docker build -t stats-service .
#   docker run --env-file .env -p 127.0.0.1:8000:8000 stats-service
# Settings come from the environment (.env.example); nothing secret is baked in.
# gunicorn listens on every interface of the container (else the published port could not reach
# it), and the port is published on the host's loopback only, for the reverse proxy (README).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /app
COPY requirements.txt .
RUN python -m venv /app/.venv \
    && /app/.venv/bin/pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --system --home-dir /app stats && mkdir -p /app/var && chown stats /app/var
USER stats

EXPOSE 8000
# Migrate, then serve with gunicorn (workers, timeout: GUNICORN_* variables).
CMD ["sh", "-c", "/app/.venv/bin/python manage.py migrate --noinput && exec /app/.venv/bin/python -m gunicorn"]
