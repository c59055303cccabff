"""Many users at once: concurrent headless-Chromium sessions ask the development questions of
the real app (`npnru ui`), once on an idle index and once while an ingestion runs.

Each session opens the chat, types a question, and measures the time to the first words of the
answer and to the end of the answer (the app idle again); then the next question. Printed:
sessions, answers, answers per second, p50/p95 of both times, errors (an exception shown by
the app, a « Service indisponible » banner, a browser timeout), and the app server's resident
memory. A real browser costs CPU too: on 2 cores, 16 browsers saturate the machine before the
app does, so the default is 4 sessions (``--sessions`` to change it).

Usage: .venv/bin/python bench/load.py [--sessions N] [--seconds S] [--phases idle,ingestion]
Needs Debian's chromium and chromium-driver, and the embedding model (make setup).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant.config import PROJECT_ROOT, settings_with  # noqa: E402
from bench.measure import percentile, resident_mb  # noqa: E402

QUESTIONS = PROJECT_ROOT / "tests" / "eval" / "tune.jsonl"
CORPUS = PROJECT_ROOT / "corpus" / "documents"
CHAT_INPUT = "[data-testid='stChatInputTextArea']"
MESSAGE = "[data-testid='stChatMessage']"
RUNNING = "[data-testid='stStatusWidget']"
AVATAR = "smart_toy"
STABLE_S = 1.5


@dataclass
class Session:
    first_s: list[float] = field(default_factory=list)
    full_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.add_argument("--window-size=1200,1600")
    return webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver")))


def converse(url: str, questions: list[str], deadline: float, result: Session) -> None:
    """One user: questions one after the other until ``deadline``, each timed."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser()
    try:
        wait = WebDriverWait(driver, 180, poll_frequency=0.05)
        driver.get(url)
        for number, question in enumerate(questions):
            if time.monotonic() > deadline:
                break
            if number and number % 6 == 0:
                # A new conversation now and then: the page stays light, as a user's would.
                driver.get(url)
            try:
                box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, CHAT_INPUT)))
                before = len(driver.find_elements(By.CSS_SELECTOR, MESSAGE))
                start = time.perf_counter()
                box.send_keys(question)
                box.send_keys(Keys.ENTER)

                def answer_started(d, n=before):
                    messages = d.find_elements(By.CSS_SELECTOR, MESSAGE)
                    if len(messages) < n + 2:
                        return False
                    try:
                        # The assistant's avatar is an icon whose name is text: not an answer.
                        return messages[-1].text.replace(AVATAR, "").strip()
                    except StaleElementReferenceException:
                        return False  # redrawn meanwhile: look again

                wait.until(answer_started)
                result.first_s.append(time.perf_counter() - start)
                result.full_s.append(idle_again(driver, start) - start)
                page = driver.find_element(By.TAG_NAME, "body").text
                if driver.find_elements(By.CSS_SELECTOR, "[data-testid='stException']"):
                    result.errors.append(f"exception affichée après « {question} »")
                elif "Service indisponible" in page or "Index endommagé" in page:
                    result.errors.append(f"bandeau d'erreur après « {question} »")
            except Exception as exc:  # a timeout or a lost page: counted, the session goes on
                result.errors.append(f"{type(exc).__name__} après « {question} »")
                driver.get(url)
    finally:
        driver.quit()


def idle_again(driver, start: float, timeout: float = 180.0) -> float:
    """When the app stopped running the question's script: the time of the first of several
    polls over ``STABLE_S`` without Streamlit's « running » widget (it shows up only after a
    short delay, so one poll without it proves nothing)."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By

    quiet_since = None
    while time.perf_counter() - start < timeout:
        now = time.perf_counter()
        if driver.find_elements(By.CSS_SELECTOR, RUNNING):
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= STABLE_S:
            return quiet_since
        time.sleep(0.05)
    raise TimeoutException("réponse non terminée")


def phase(url: str, pid: int, sessions: int, seconds: float, questions: list[str]) -> dict:
    deadline = time.monotonic() + seconds
    results = [Session() for _ in range(sessions)]
    threads = [
        threading.Thread(
            target=converse,
            # Each session starts at another point of the question list.
            args=(url, questions[i * 7 :] + questions[: i * 7], deadline, results[i]),
        )
        for i in range(sessions)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - start
    first = [t for r in results for t in r.first_s]
    full = [t for r in results for t in r.full_s]
    errors = [e for r in results for e in r.errors]
    rss, peak = resident_mb(pid)
    return {
        "sessions": sessions,
        "seconds": round(elapsed, 1),
        "answers": len(full),
        "answers_per_s": round(len(full) / elapsed, 3),
        "first_p50_s": round(statistics.median(first), 2) if first else None,
        "first_p95_s": round(percentile(first, 0.95), 2) if first else None,
        "full_p50_s": round(statistics.median(full), 2) if full else None,
        "full_p95_s": round(percentile(full, 0.95), 2) if full else None,
        "errors": len(errors),
        "error_examples": errors[:5],
        "server_rss_mb": round(rss),
        "server_peak_mb": round(peak),
    }


def run(
    sessions: int, seconds: float, phases: list[str], cache: Path | None = None
) -> dict[str, dict]:
    """The phases, on a copy of the default corpus; ``cache`` is the vector cache (default:
    the project's, so that a second run encodes nothing)."""
    from assistant.llm_server import free_port, wait_until_ready
    from ingest.index import ingest
    from tests.servers import running

    questions = [json.loads(line)["question"] for line in QUESTIONS.open(encoding="utf-8")]
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(CORPUS, corpus)
        settings = settings_with(
            data_dir=Path(tmp) / "data",
            corpus_dirs=[corpus],
            embedding_cache=str(cache or PROJECT_ROOT / "data" / "embeddings.sqlite"),
        )
        ingest(settings)
        port = free_port()
        env = {
            **os.environ,
            "NPNRU_DATA_DIR": str(settings.data_dir),
            "NPNRU_CORPUS_DIRS": str(corpus),
            "NPNRU_EMBEDDING_CACHE": settings.embedding_cache,
        }
        command = [sys.executable, "-m", "assistant.cli", "ui", "--port", str(port)]
        with running(command, cwd=PROJECT_ROOT, env=env) as app:
            url = f"http://127.0.0.1:{port}"
            wait_until_ready(url, timeout=120, path="/_stcore/health")
            for name in phases:
                ingestion = None
                if name == "ingestion":
                    # A new document, ingested by another process while the sessions ask.
                    (corpus / "charge.md").write_text(
                        "# Charte de charge\n\n"
                        + "\n\n".join(
                            f"## Article {n}\n\nLe comité {n} suit les relogements du secteur {n}."
                            for n in range(40)
                        ),
                        encoding="utf-8",
                    )
                    ingestion = subprocess.Popen(
                        [sys.executable, "-m", "assistant.cli", "ingest", "--json"],
                        cwd=PROJECT_ROOT,
                        env=env,
                        stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL,
                        text=True,
                    )
                results[name] = phase(url, app.pid, sessions, seconds, questions)
                if ingestion is not None:
                    out, _ = ingestion.communicate(timeout=600)
                    results[name]["ingestion_ok"] = ingestion.returncode == 0
                    results[name]["ingestion_added"] = json.loads(out or "{}").get("added")
    return results


def table(results: dict[str, dict]) -> str:
    lines = [
        "| phase | sessions | réponses (par s) | 1ers mots p50 / p95 | réponse complète p50 / p95 "
        "| erreurs | mémoire du serveur (pic) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        label = {"idle": "index au repos", "ingestion": "pendant une indexation"}.get(name, name)
        lines.append(
            f"| {label} | {r['sessions']} | {r['answers']} ({r['answers_per_s']}) "
            f"| {r['first_p50_s']} / {r['first_p95_s']} s "
            f"| {r['full_p50_s']} / {r['full_p95_s']} s "
            f"| {r['errors']} | {r['server_rss_mb']} Mo ({r['server_peak_mb']} Mo) |"
        )
    for name, r in results.items():
        lines += [f"\nErreur ({name}) : {e}" for e in r["error_examples"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=4, metavar="N")
    parser.add_argument("--seconds", type=float, default=120.0, metavar="S")
    parser.add_argument("--phases", default="idle,ingestion")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not shutil.which("chromium") or not shutil.which("chromedriver"):
        print("Banc d'essai sauté : chromium / chromedriver absents.")
        return 0
    results = run(args.sessions, args.seconds, args.phases.split(","))
    print(json.dumps(results, ensure_ascii=False) if args.json else table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
