"""Files are read in a worker process with limits: a PDF that makes the parser loop or swell
(deep nesting, a decompression bomb, a huge page count) is stopped by a time and a memory
limit and reported as failed with its reason; the ingestion goes on with the next file."""

from __future__ import annotations

import multiprocessing
import resource
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ingest.loaders import Document, LoaderError, load_document

# Generous for the course material (the 120-page PDFs of the corpus parse in seconds), small
# enough that a hostile file cannot hold an ingestion or the machine.
PARSE_SECONDS = 120.0
PARSE_MEMORY_MB = 2048


def _limit_memory(megabytes: int) -> None:
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _load(path: str, doc_id: str, max_bytes: int | None) -> Document:
    try:
        return load_document(Path(path), doc_id, max_bytes)
    except MemoryError:
        raise LoaderError(
            f"lecture arrêtée : mémoire dépassée ({PARSE_MEMORY_MB} Mo au plus)"
        ) from None


class Reader:
    """One worker process, reused from file to file, replaced when it had to be stopped."""

    def __init__(self, seconds: float = PARSE_SECONDS, memory_mb: int = PARSE_MEMORY_MB):
        self.seconds = seconds
        self.memory_mb = memory_mb
        self._pool: ProcessPoolExecutor | None = None

    def _worker(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_limit_memory,
                initargs=(self.memory_mb,),
            )
        return self._pool

    def load(self, path: Path, doc_id: str, max_bytes: int | None = None) -> Document:
        future = self._worker().submit(_load, str(path), doc_id, max_bytes)
        try:
            return future.result(timeout=self.seconds)
        except FutureTimeout:
            self._stop()
            raise LoaderError(
                f"lecture arrêtée après {self.seconds:g} s (fichier trop complexe ou piégé)"
            ) from None
        except BrokenProcessPool:
            self._stop()
            raise LoaderError(
                f"lecture arrêtée : le lecteur s'est interrompu (mémoire limitée à "
                f"{self.memory_mb} Mo ; fichier trop complexe ou piégé)"
            ) from None
        except RecursionError:
            raise LoaderError(
                "lecture arrêtée : objets imbriqués trop profondément (fichier piégé ?)"
            ) from None
        except MemoryError:
            raise LoaderError(
                f"lecture arrêtée : mémoire dépassée ({self.memory_mb} Mo au plus)"
            ) from None

    def _stop(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
