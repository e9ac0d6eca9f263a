# qostil: the nightly flow from /inbox to /outbox.
# Installs through scripts/install.sh, the same script the README and CI run.
FROM debian:12-slim

ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONUNBUFFERED=1 \
    QOSTIL_HOME=/var/lib/qostil \
    QOSTIL_VENV=/opt/qostil \
    QOSTIL_INSTALL_TESTS=0 \
    HF_HUB_OFFLINE=1 \
    PREFECT_SERVER_ANALYTICS_ENABLED=false

# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 python3-venv ca-certificates \
    && rm -rf /var/lib/apt/lists/*

# Optional: a PyTorch CPU wheel index, so pip does not pull a CUDA build of torch.
ARG PIP_EXTRA_INDEX_URL

WORKDIR /app
COPY . /app

RUN bash scripts/install.sh \
    && rm -rf /var/lib/apt/lists/* /root/.cache/pip

VOLUME ["/inbox", "/outbox"]
ENTRYPOINT ["/opt/qostil/bin/qostil"]
CMD ["run", "/inbox", "--out", "/outbox"]
