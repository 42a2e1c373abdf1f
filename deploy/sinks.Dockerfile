# syntax=docker/dockerfile:1
# Only for compose's local mail and SMS sinks: the application image (compose builds it first, through the
# `app` build context) plus the SMTP test server, installed from the dev lock with its hashes. The image
# that is deployed never has it (deploy/Dockerfile installs the runtime lock only). Never deployed.
# hadolint ignore=DL3006
FROM app
USER 0
COPY requirements-dev.lock tools/lock_subset.py /tmp/lock/
RUN python /tmp/lock/lock_subset.py /tmp/lock/requirements-dev.lock aiosmtpd atpublic attrs > /tmp/lock/sinks.lock \
    && pip install --no-cache-dir --no-deps --require-hashes -r /tmp/lock/sinks.lock \
    && rm -rf /tmp/lock
USER 10001:10001
