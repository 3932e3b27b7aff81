"""Question text normalised for matching: case, accents, punctuation, slang written out."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# Informal spellings and abbreviations -> the words the phrasings use.
_EXPAND: Mapping[str, str] = {
    **dict.fromkeys(["klo", "kalo", "klu", "kl", "klw", "kalau"], "kalau"),
    **dict.fromkeys(["gmn", "gimana", "gmna", "gimna", "bgmn", "bagaimana"], "bagaimana"),
    **dict.fromkeys(["brp", "brapa", "berapaan", "brpa"], "berapa"),
    **dict.fromkeys(
        ["gk", "ga", "gak", "nggak", "ngga", "engga", "enggak", "ndak", "tdk", "kagak", "g"],
        "tidak",
    ),
    **dict.fromkeys(["sy", "aku", "gue", "gw", "gua", "aq", "ane", "saya"], "saya"),
    **dict.fromkeys(["krn", "karna", "krna", "gara"], "karena"),
    **dict.fromkeys(["dpt", "dapet", "dapat"], "dapat"),
    **dict.fromkeys(["udh", "udah", "sdh", "dah", "sudah"], "sudah"),
    **dict.fromkeys(["blm", "blom", "belom"], "belum"),
    **dict.fromkeys(
        ["ninggal", "wafat", "tewas", "meninggoy", "mninggal", "menninggal"], "meninggal"
    ),
    **dict.fromkeys(["duit", "doku", "fulus"], "uang"),
    **dict.fromkeys(["utk", "untk", "buat"], "untuk"),
    **dict.fromkeys(["pake", "pakai", "dipake", "dipakai"], "pakai"),
    "yg": "yang",
    "dgn": "dengan",
    "dg": "dengan",
    "dr": "dari",
    "bs": "bisa",
    "bln": "bulan",
    "thn": "tahun",
    "jg": "juga",
    "aja": "saja",
    "aj": "saja",
    "tp": "tapi",
    "skrg": "sekarang",
    "dmn": "mana",
    "dimana": "mana",
    "kmn": "mana",
    "kemana": "mana",
    "knp": "kenapa",
    "kpn": "kapan",
    "org": "orang",
    "ortu": "orang tua",
    "ojol": "ojek online",
    "ngojek": "ojek",
    "bpjstk": "bpjs ketenagakerjaan",
    "tk": "ketenagakerjaan",
    "jamsostek": "bpjs ketenagakerjaan",
    "bpjamsostek": "bpjs ketenagakerjaan",
    "rs": "rumah sakit",
    "nomer": "nomor",
    "wkt": "waktu",
    "pas": "saat",
    "sm": "sama",
    "trs": "terus",
    "liat": "lihat",
    "tau": "tahu",
    "gpp": "tidak apa apa",
    "sampe": "sampai",
    "bbrp": "beberapa",
    "pdhl": "padahal",
    "lg": "lagi",
    "msh": "masih",
    "hrs": "harus",
    "ngurus": "urus",
    "ngurusin": "urus",
    "nyairin": "cair",
    "pencairan": "cair",
    "nganter": "antar",
    "jatoh": "jatuh",
    "sakit2": "sakit",
    "u": "you",
    "ur": "your",
    "pls": "please",
    "im": "i am",
}

# Words that say nothing about the topic (both languages); removed before matching.
_NOT_WORD = re.compile(r"[^0-9a-z]+")
_REDUPLICATED = re.compile(r"([a-z]{3,})2\b")
_REPEATED = re.compile(r"([a-z])\1{2,}")


def normalise(text: str) -> str:
    """Lowercase, no accents or punctuation, slang and abbreviations written out."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    plain = _REDUPLICATED.sub(r"\1", plain)  # "anak2" -> "anak"
    plain = _REPEATED.sub(r"\1", plain)  # "gimanaaa" -> "gimana"
    words = _NOT_WORD.sub(" ", plain).split()
    return " ".join(_EXPAND.get(word, word) for word in words)
