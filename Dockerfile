# The luutru app: Tesseract with Vietnamese, poppler, qpdf and the luutru CLI.
#   docker build -t luutru .      (docker-compose.yml builds it for you)
FROM python:3.11-slim-bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      tesseract-ocr tesseract-ocr-vie tesseract-ocr-osd poppler-utils qpdf \
      fonts-liberation2 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /src
COPY . /src
RUN pip install --no-cache-dir /src \
 && useradd --create-home --uid 1000 luutru \
 && mkdir -p /archive /scans && chown luutru:luutru /archive

USER luutru
ENV LUUTRU_ARCHIVE=/archive OMP_THREAD_LIMIT=1 PYTHONUNBUFFERED=1
VOLUME ["/archive"]
ENTRYPOINT ["luutru"]
CMD ["--help"]
