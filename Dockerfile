# Lindungi server image: `docker build -t lindungi .` then
# `docker run -p 8000:8000 -e LINDUNGI_BOT_TOKEN=... lindungi`.
FROM python:3.11-slim AS build
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY pyproject.toml constraints.txt README.md ./
COPY bot bot
COPY handlers handlers
COPY conversations conversations
COPY storage storage
COPY console console
COPY programs programs
RUN python -m venv /opt/lindungi \
 && /opt/lindungi/bin/pip install -c constraints.txt .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 lindungi \
 && mkdir -p /data && chown lindungi /data
COPY --from=build /opt/lindungi /opt/lindungi
ENV PATH=/opt/lindungi/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    LINDUNGI_DATA_DIR=/data \
    LINDUNGI_LOG_JSON=true
USER lindungi
WORKDIR /home/lindungi
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["lindungi", "serve", "--host", "0.0.0.0", "--port", "8000"]
