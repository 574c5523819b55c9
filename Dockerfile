# The HMIS Access Bot in one image: `hmis-bot` is the entry point and `serve` the default
# command, so `docker run IMAGE init` (or `sweep`, `audit export`, ...) runs the other commands.
#   docker build -t hmis-access-bot .
# Configuration comes from the environment at run time only (README: "Deploying"); nothing
# secret is built into the image. compose.yaml runs it on PostgreSQL with two replicas.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY chatbot ./chatbot
COPY adapters ./adapters
COPY flows ./flows
RUN pip install . && rm -rf /src

# A user without a login and without root: it owns /data, the working directory, where the
# default SQLite database (hmis-bot.sqlite3) lives for a one-process install; mount a volume.
RUN useradd --system --uid 10001 --user-group --home-dir /data --create-home --shell /usr/sbin/nologin hmis
WORKDIR /data
USER 10001:10001

EXPOSE 3000
# 200 only while the database answers and the outbox and scheduler make progress; urllib
# raises on 503, so the check fails then.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:3000/healthz', timeout=4)"]

ENTRYPOINT ["hmis-bot"]
CMD ["serve"]
