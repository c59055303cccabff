"""Time to the first answer token of the extractive default, on the default corpus
(corpus/documents: the programme PDF and the service-public fiches), against the retrieval
alone in the same process. Target: median under 1.5 s on two cores.

Usage: .venv/bin/python bench/answer_latency.py [--repeat N]
(needs `make setup`; the default corpus is indexed once into data/eval/<key>)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import retrieval as retrieval_module  # noqa: E402
from assistant.answer import answer_stream  # noqa: E402
from assistant.config import get_settings  # noqa: E402
from assistant.evaluation import corpus_settings  # noqa: E402
from assistant.retrieval import search  # noqa: E402

QUESTIONS = [
    "Combien de jours dure la formation ?",
    "Qui intervient le deuxième jour ?",
    "qui sont les enseignants principaux du module 9.5 ?",
    "à quel moment la formation aborde la cotation et la gestion en flux ?",
    "qui est Bertrand Carpentier ?",
    "Qu'est-ce que la CALEOL ?",
    "Comment faire une demande de logement social ?",
    "quelles pièces faut-il fournir pour demander un HLM ?",
    "ma demande de HLM expire au bout d'un an ? il faut la renouveler ?",
    "c'est quoi le surloyer ?",
    "je gagne plus qu'avant, est-ce que je peux garder mon HLM ?",
    "Peut-on échanger son appartement HLM avec un autre locataire ?",
    "la colocation en HLM, c'est autorisé ?",
    "Dalo : comment saisir la commission de médiation ?",
    "Quelle est la capitale du Pérou ?",
]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    base = get_settings()
    missing = [d for d in base.corpus_dirs if not any(d.glob("*"))]
    if missing:
        print(f"Benchmark sauté : corpus par défaut absent ({missing}) — lancez « make setup ».")
        return 0
    settings = corpus_settings(base, list(base.corpus_dirs))
    # Warm-up: the model, Chroma and the lexical index are loaded once per process.
    list(answer_stream(settings, QUESTIONS[0]))

    first_token, complete, retrieval = [], [], []
    for _ in range(args.repeat):
        for question in QUESTIONS:
            # Each question as if asked for the first time: no sentence vector remembered.
            retrieval_module.forget_vectors()
            start = time.perf_counter()
            search(settings, question, settings.top_k)
            retrieval.append(time.perf_counter() - start)
            start = time.perf_counter()
            stream = iter(answer_stream(settings, question))
            next(stream)
            first_token.append(time.perf_counter() - start)
            for _ in stream:
                pass
            complete.append(time.perf_counter() - start)

    def ms(values: list[float]) -> str:
        p95 = sorted(values)[int(0.95 * len(values))]
        return f"{1000 * statistics.median(values):7.0f} ms (p95 {1000 * p95:.0f})"

    print(f"{len(QUESTIONS)} questions × {args.repeat}, index {settings.data_dir}")
    print(f"  recherche seule (référence)      {ms(retrieval)}")
    print(f"  premier morceau de la réponse    {ms(first_token)}")
    print(f"  réponse complète                 {ms(complete)}")
    ratio = statistics.median(first_token) / statistics.median(retrieval)
    print(f"  rapport premier morceau / recherche : {ratio:.2f}")
    verdict = "atteinte" if statistics.median(first_token) < 1.5 else "MANQUÉE"
    print(f"  cible < 1,5 s : {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
