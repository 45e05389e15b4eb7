# The danvan API for production (docker-compose.yml runs it against Neo4j).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DANVAN_DATA_DIR=/data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY danvan danvan
COPY graph graph
COPY loaders loaders
COPY queries queries
COPY api api
COPY visualisations visualisations
RUN pip install --no-cache-dir . && useradd --system --home /app danvan && mkdir -p /data \
    && chown danvan /data
USER danvan
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --retries=5 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/v1/health', timeout=4)"
CMD ["danvan", "serve", "--host", "0.0.0.0", "--port", "8000", "--store", "neo4j"]
