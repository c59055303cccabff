"""Command line: ``npnru ingest | ask | search | stats | ui``, each with ``--json``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from assistant.config import PROJECT_ROOT, Settings, settings_with

EXIT_OK, EXIT_ERROR, EXIT_PARTIAL = 0, 1, 3


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


class CliError(ValueError):
    """A bad argument (French message)."""


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = args.data_dir
    return settings_with(**overrides)


def cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from ingest.index import ingest

    settings = _settings(args)
    bar = tqdm(
        total=0, unit="fichier", file=sys.stderr, disable=args.json or None, desc="Indexation"
    )

    def progress(number: int, total: int, doc_id: str) -> None:
        bar.total = total
        bar.set_postfix_str(doc_id[-60:], refresh=False)
        bar.update(number - bar.n)

    def stage(name: str) -> None:
        bar.set_description_str(f"Préparation : {name}")

    report = ingest(
        settings, args.paths or None, progress=progress, rebuild=args.rebuild, stage=stage
    )
    bar.close()
    if args.json:
        _print_json(report.to_dict())
    else:
        print(
            f"Ajoutés : {len(report.added)} · mis à jour : {len(report.updated)} · "
            f"inchangés : {len(report.unchanged)} · supprimés : {len(report.deleted)} · "
            f"passages des documents lus : {report.chunks} (dont réécrits : {report.written}) · "
            f"passages dans l'index : {report.total_chunks}"
        )
        if report.pages:
            print("Pages préparées pour cette version de l'index : " + ", ".join(report.pages))
        for failure in report.failed:
            print(f"Échec : {failure['path']} — {failure['error']}", file=sys.stderr)
    if report.pages_error:
        print(
            f"Page non préparée ({report.pages_error}) : elle sera calculée à sa première visite.",
            file=sys.stderr,
        )
    if report.failed:
        has_success = report.added or report.updated or report.unchanged
        return EXIT_PARTIAL if has_success else EXIT_ERROR
    return EXIT_OK


def _corpus_or_index(args: argparse.Namespace):
    """The settings of the index named by the options, or of a separate index of the folders
    given with ``--corpus`` (built once, then reused)."""
    settings = _settings(args)
    if args.corpus:
        from assistant.evaluation import corpus_settings

        settings = corpus_settings(settings, args.corpus)
    return settings


def _location(page: int | None, article: str | None) -> str:
    if article:
        return f"article {article}"
    return f"p. {page}" if page else ""


def _history(path: Path | None) -> list:
    from assistant.followup import turns_from

    if path is None:
        return []
    try:
        return turns_from(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise CliError(f"Historique illisible : {path} — {exc}") from exc


def cmd_ask(args: argparse.Namespace) -> int:
    from assistant.answer import answer_stream

    settings = _settings(args)
    stream = answer_stream(settings, args.question, _history(args.history))
    if args.json:
        for _ in stream:
            pass
        _print_json(stream.answer.to_dict())
        return EXIT_OK
    for piece in stream:
        print(piece, end="", flush=True)
    print()
    answer = stream.answer
    if answer.searched and answer.searched != answer.question:
        print(f"\n(Question comprise comme : {answer.searched})")
    for sentence in answer.unsupported:
        print(f"\nNon sourcé : {sentence}")
    if answer.citations:
        print("\nSources :")
        for c in answer.citations:
            details = [c.doc_id, _location(c.page, c.article)]
            details.append(f"version {c.date}" if c.date else "")
            print(f"  [{c.n}] {c.title} ({', '.join(d for d in details if d)})")
            if c.attribution:
                print(f"      {c.attribution}")
    return EXIT_OK


def cmd_search(args: argparse.Namespace) -> int:
    from assistant.retrieval import search

    passages = search(_settings(args), args.query, args.k)
    if args.json:
        _print_json({"results": [p.to_search_result() for p in passages]})
        return EXIT_OK
    if not passages:
        print("Aucun passage : l'index est vide ? Lancez « npnru ingest ».")
    for p in passages:
        where = _location(p.page, p.article)
        print(f"{p.rank}. [{p.score:.3f}] {p.doc_id}{' — ' + where if where else ''}")
        print("   " + p.text[:300].replace("\n", " "))
    return EXIT_OK


def cmd_map(args: argparse.Namespace) -> int:
    from assistant.course_map import cached_course_map

    result = cached_course_map(_corpus_or_index(args))
    if args.json:
        _print_json(result)
        return EXIT_OK
    if not result["programmes"]:
        print(
            "Aucun programme de formation dans l'index (un support de cours avec ses jours et "
            "ses séquences numérotées)."
        )
        return EXIT_OK
    for programme in result["programmes"]:
        print(
            f"{programme['title']} — {programme['covered']} sujets couverts sur "
            f"{programme['total']} ({programme['coverage']:.0%})"
        )
        session = None
        for topic in programme["topics"]:
            if topic["session"] != session:
                session = topic["session"]
                print(f"  Jour {topic['day']}, séquence {session}")
            mark = "✓" if topic["covered"] else "✗"
            best = topic["passages"][0] if topic["passages"] else None
            where = ""
            if best and topic["covered"]:
                place = _location(best["page"], best["article"])
                where = f" → {best['title'][:70]}" + (f", {place}" if place else "")
            print(f"    {mark} {topic['text'][:90]} ({topic['probability']:.2f}){where}")
        if programme["uncovered"]:
            print("Aucun document indexé ne traite de : " + " ; ".join(programme["uncovered"]))
    return EXIT_OK


def cmd_quiz(args: argparse.Namespace) -> int:
    from assistant.quiz import cached_questions, check_all

    settings = _corpus_or_index(args)
    result = cached_questions(settings)
    problems = check_all(settings, result["questions"])
    if args.json:
        _print_json({**result, "problems": problems})
        return EXIT_OK if not problems else EXIT_ERROR
    questions = result["questions"]
    kinds: dict[str, int] = {}
    for question in questions:
        kinds[question["kind"]] = kinds.get(question["kind"], 0) + 1
    print(
        f"{len(questions)} questions de révision "
        f"({', '.join(f'{n} {kind}' for kind, n in sorted(kinds.items()))}) ; "
        f"{len(questions) - len(problems)} vérifiées sur le passage cité, "
        f"{len(problems)} en défaut."
    )
    for heading, names in (("Séquences", result["sessions"]), ("Documents", result["documents"])):
        if names:
            print(f"{heading} :")
        for name in names:
            count = sum(q["group"] == name for q in questions)
            print(f"  {count:3d}  {name[:100]}")
    for problem in problems:
        print(f"En défaut : {problem['cloze'][:90]} — {' ; '.join(problem['problems'])}")
    if args.show:
        for question in questions[: args.show]:
            source = question["source"]
            place = _location(source["page"], source["article"])
            print(f"\n[{question['kind']}] {question['cloze']}")
            print(f"  choix : {' | '.join(question['options'])}")
            print(f"  réponse : {question['answer_label']} — {source['title'][:70]} {place}")
    return EXIT_OK if not problems else EXIT_ERROR


def cmd_stats(args: argparse.Namespace) -> int:
    from assistant.stats import index_stats

    settings = _settings(args)
    stats = index_stats(settings)
    if args.json:
        _print_json(stats)
        return EXIT_OK
    print(f"Index : {stats['data_dir']} (collection « {stats['collection']} »)")
    print(f"Documents : {stats['documents']} · passages : {stats['chunks']}")
    for doc in stats["by_document"]:
        extent = f"{doc['articles']} articles" if doc["articles"] else f"{doc['pages']} p."
        date = f", version {doc['date']}" if doc["date"] else ""
        print(f"  {doc['doc_id']} [{doc['kind']}{date}] — {doc['chunks']} passages, {extent}")
    if stats["runs"]:
        print("Dernières indexations :")
        for run in stats["runs"]:
            report = run["report"] or {}
            failed = len(report.get("failed", []))
            print(
                f"  {run['started_at']} — {run['status']}"
                + (f" ({failed} fichier(s) en échec)" if failed else "")
            )
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    from assistant.evaluation import (
        answer_pipeline,
        answered_history,
        corpus_settings,
        evaluate,
        history_turns,
        load_questions,
        pipeline_retriever,
    )

    settings = _settings(args)
    questions = load_questions(args.questions)
    if args.corpus:
        settings = corpus_settings(settings, args.corpus)
    answering = settings.model_copy(update={"top_k": args.k})
    turns = answered_history(answering) if args.answer_history else history_turns
    result = evaluate(
        questions,
        pipeline_retriever(settings, args.k, turns),
        None if args.no_answers else answer_pipeline(answering, turns),
    )
    if args.json:
        _print_json(result)
        return EXIT_OK
    print(f"{result['n']} questions — index {settings.data_dir}")
    for key in (
        "recall@1",
        "recall@5",
        "recall@10",
        "mrr@10",
        "refusal_precision",
        "refusal_recall",
        "answerable_refused",
        "unanswerable_answered",
        "refusal_auc",
        "answer_keyword_recall",
        "answer_first_sentence_recall",
        "answer_median_words",
        "answer_refusal_precision",
        "answer_refusal_recall",
        "invalid_citations",
    ):
        if result.get(key) is not None:
            print(f"  {key:<30} {result[key]:.3f}")
    shown_by = ("answer_keyword_recall_by_kind", "answer_keyword_recall_by_turn", "answer_backends")
    for key in shown_by:
        if key in result:
            shown = ", ".join(f"{k} {v:.2f}" for k, v in result[key].items())
            print(f"  {key:<30} {shown}")
    latency = result["latency_ms"]
    print(f"  latence (ms)       médiane {latency['median']:.0f}, 95e centile {latency['p95']:.0f}")
    print("\nIssues (part de chaque décision) :")
    for group, label in (("answerable", "avec réponse"), ("unanswerable", "sans réponse")):
        shares = result["outcomes"][group]
        print(
            f"  {label:<13} réponse {shares['answer']:.2f} · incertain {shares['uncertain']:.2f}"
            f" · refus {shares['refusal']:.2f}"
        )
    print("\nCourbe des refus (refus si probabilité < seuil) :")
    print("  seuil  précision  rappel  avec réponse refusées")
    for point in result["refusal_curve"]:
        print(
            f"  {point['threshold']:.2f}   {point['precision']:.3f}      {point['recall']:.3f}"
            f"   {point['answerable_refused']:.3f}"
        )
    if args.show_misses:
        _print_misses(result["details"])
    return EXIT_OK


def _print_misses(details: list[dict]) -> None:
    misses = [
        d
        for d in details
        if (d["answerable"] and (d["rank"] != 1 or d["outcome"] != "answer"))
        or (not d["answerable"] and d["outcome"] != "refusal")
    ]
    if misses:
        print("\nÀ examiner :")
    for d in misses:
        if not d["answerable"]:
            what = f"hors corpus mais « {d['outcome']} »"
        elif d["outcome"] != "answer":
            what = f"« {d['outcome']} » à tort"
        else:
            what = f"rang {d['rank'] or '>10'}"
        top = d["top"][0] if d["top"] else {}
        print(
            f"  {d['id']}: {what} — {d['searched']} → {top.get('doc_id')} "
            f"{top.get('article') or top.get('page') or ''}"
        )


def cmd_ui(args: argparse.Namespace) -> int:
    settings = _settings(args)
    command = [
        sys.executable,
        # Streamlit in the same process, SIGINT honoured before Streamlit's own handler.
        str(PROJECT_ROOT / "ui" / "serve.py"),
        "run",
        str(PROJECT_ROOT / "ui" / "app.py"),
        "--server.port",
        str(args.port or settings.ui_port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "viewer",
        # The upload widget announces the app's own limit, not Streamlit's 200 MB.
        "--server.maxUploadSize",
        str(max(1, round(settings.max_file_mb))),
    ]
    env = dict(os.environ)
    if getattr(args, "data_dir", None):
        env["NPNRU_DATA_DIR"] = str(args.data_dir)
    # This process becomes the Streamlit server (same PID, nothing left behind): SIGTERM,
    # SIGINT or SIGHUP from systemd, a supervisor or `docker stop` reach Streamlit itself,
    # which stops and exits with its own status.
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, command, env)
    return 1  # not reached


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--data-dir",
        type=Path,
        default=argparse.SUPPRESS,
        help="dossier de l'index (défaut : NPNRU_DATA_DIR, sinon data/ dans le projet)",
    )
    common.add_argument("--json", action="store_true", help="sortie JSON (schéma stable)")

    parser = argparse.ArgumentParser(
        prog="npnru",
        description="Assistant documentaire du Module 9.5 (attributions et NPNRU).",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="dossier de l'index (défaut : NPNRU_DATA_DIR, sinon data/ dans le projet)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMANDE")

    p = sub.add_parser("ingest", parents=[common], help="indexer les documents")
    p.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="CHEMIN",
        help="fichiers ou dossiers (défaut : les dossiers du corpus configurés)",
    )
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="reconstruire l'index de zéro, à côté de l'ancien, qui n'est remplacé qu'une fois "
        "le nouveau complet (réparation d'un index endommagé)",
    )
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", parents=[common], help="poser une question")
    p.add_argument("question", metavar="QUESTION")
    p.add_argument(
        "--history",
        type=Path,
        metavar="FICHIER",
        help="tours précédents, pour les relances : liste JSON de questions "
        "ou de {question, answer}",
    )
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("search", parents=[common], help="chercher les passages proches")
    p.add_argument("query", metavar="REQUÊTE")
    p.add_argument("-k", type=int, default=None, help="nombre de passages (défaut : top_k)")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("stats", parents=[common], help="contenu de l'index")
    p.set_defaults(func=cmd_stats)

    p = sub.add_parser(
        "eval",
        parents=[common],
        help="évaluer la recherche et les réponses (rappel, refus, mots-clés)",
    )
    p.add_argument("--questions", type=Path, required=True, metavar="FICHIER.jsonl")
    p.add_argument(
        "--corpus",
        type=Path,
        nargs="+",
        metavar="DOSSIER",
        help="indexer ces dossiers dans un index d'évaluation séparé (mis en cache)",
    )
    p.add_argument("--k", type=int, default=5, help="passages retenus pour décider du refus")
    p.add_argument(
        "--no-answers", action="store_true", help="ne pas composer ni noter les réponses"
    )
    p.add_argument(
        "--answer-history",
        action="store_true",
        help="répondre d'abord à chaque question de l'historique, comme dans l'application "
        "(une relance voit alors les réponses précédentes, pas seulement les questions)",
    )
    p.add_argument(
        "--show-misses",
        action="store_true",
        help="lister les questions manquées (à ne pas faire sur la partie de test)",
    )
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "map",
        parents=[common],
        help="parcours de la formation : chaque partie du programme, les passages qui la "
        "couvrent, et ce qu'aucun document indexé ne traite",
    )
    p.add_argument(
        "--corpus",
        type=Path,
        nargs="+",
        metavar="DOSSIER",
        help="cartographier ces dossiers, indexés dans un index séparé (mis en cache)",
    )
    p.set_defaults(func=cmd_map)

    p = sub.add_parser(
        "quiz",
        parents=[common],
        help="questions de révision tirées des documents (texte à trous, choix multiples), "
        "chacune vérifiée sur le passage cité",
    )
    p.add_argument(
        "--corpus",
        type=Path,
        nargs="+",
        metavar="DOSSIER",
        help="questions sur ces dossiers, indexés dans un index séparé (mis en cache)",
    )
    p.add_argument(
        "--show", type=int, default=0, metavar="N", help="afficher les N premières questions"
    )
    p.set_defaults(func=cmd_quiz)

    p = sub.add_parser("ui", parents=[common], help="lancer l'application web")
    p.add_argument("--port", type=int, default=None, help="port (défaut : 8501)")
    p.set_defaults(func=cmd_ui)
    return parser


def main(argv: list[str] | None = None) -> int:
    from assistant.database import DatabaseError
    from assistant.evaluation import EvalError
    from assistant.model_store import ModelError
    from assistant.retrieval import RerankError
    from assistant.revision import DamagedIndexError
    from assistant.store import StoreError
    from ingest.index import IngestError, IngestLockedError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (
        ModelError,
        StoreError,
        DatabaseError,
        DamagedIndexError,
        IngestError,
        IngestLockedError,
        EvalError,
        CliError,
        RerankError,
    ) as exc:
        print(f"Erreur : {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
