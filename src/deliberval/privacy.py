"""Privacy: keyed pseudonyms, dropping direct identifiers, free-text flags, small-cell suppression.

Pseudonyms are HMAC-SHA256 of the identifier under a secret key (RFC 2104). Unlike a plain hash,
nobody without the key can recompute the pseudonym of a known person by hashing a list of
candidate ids. The key comes from the environment variable :data:`KEY_ENV_VAR` or from a key
file; it is never stored in the returned table.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from deliberval.canonical import FUNNEL_STAGES, ID_COLUMNS
from deliberval.errors import DataInputError
from deliberval.instruments.model import Instrument

__all__ = [
    "DIRECT_IDENTIFIERS",
    "IDENTIFIER_CATEGORIES",
    "IDENTIFIER_COLUMNS",
    "KEY_ENV_VAR",
    "find_identifiers",
    "free_text_columns",
    "identifier_category",
    "identifier_columns",
    "load_key",
    "pseudonymise",
    "suppress_small_cells",
]

KEY_ENV_VAR = "DELIBERVAL_PSEUDONYM_KEY"
"""Environment variable holding the pseudonymisation key."""

DIRECT_IDENTIFIERS: tuple[str, ...] = (
    "name", "first_name", "firstname", "last_name", "lastname", "surname", "full_name",
    "email", "e_mail", "mail", "phone", "telephone", "mobile", "address", "street", "postcode",
    "zip", "ip", "ipaddr", "ip_address", "ipaddress", "national_id", "cpr", "recipient_email",
    "recipientemail", "recipientfirstname", "recipientlastname", "locationlatitude", "locationlongitude",
)
"""A few English column names of direct identifiers, kept for reference. Detection no longer uses
an exact list: :func:`identifier_category` recognises these and their French, Dutch, German and
Danish equivalents by pattern, and :func:`find_identifiers` also looks at the cells."""

_MIN_KEY_BYTES = 16


def load_key(key: bytes | str | None = None, key_file: str | os.PathLike[str] | None = None) -> bytes:
    """Return the pseudonymisation key: the argument, else the key file, else the environment.

    Parameters
    ----------
    key : bytes or str, optional
        The key itself (a str is encoded as UTF-8).
    key_file : path-like, optional
        A file holding the key (surrounding whitespace is stripped); read when ``key`` is None.

    Returns
    -------
    bytes
        The key, at least 16 bytes; from ``key``, else ``key_file``, else the
        ``DELIBERVAL_PSEUDONYM_KEY`` environment variable.

    Raises
    ------
    DataInputError
        When no key is found or it is shorter than 16 bytes.

    Examples
    --------
    >>> len(load_key("a-long-enough-secret-key"))
    24
    """
    if key is None and key_file is not None:
        try:
            key = Path(key_file).read_bytes().strip()
        except OSError as exc:
            raise DataInputError(f"{key_file}: cannot read the pseudonymisation key file ({exc.strerror})") from None
    if key is None:
        key = os.environ.get(KEY_ENV_VAR)
    if key is None or key == "" or key == b"":
        raise DataInputError(
            f"no pseudonymisation key: set {KEY_ENV_VAR} or pass key_file= (keep the key apart from the data)"
        )
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(raw) < _MIN_KEY_BYTES:
        raise DataInputError(f"the pseudonymisation key has {len(raw)} bytes; expected at least {_MIN_KEY_BYTES}")
    return raw


def free_text_columns(df: pd.DataFrame, instrument: Instrument | None = None, *,
                      min_mean_length: float = 25.0) -> list[str]:
    """Columns that hold free text and must never be published.

    A column is free text when the instrument marks its item ``free_text`` (or its scale is of
    type ``text``), or, for columns the instrument does not describe, when it holds strings
    averaging at least ``min_mean_length`` characters with mostly distinct values.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table (typically the canonical responses table).
    instrument : Instrument, optional
        Instrument whose ``free_text`` items (or items on ``text`` scales) are flagged.
    min_mean_length : float, default 25.0
        Mean string length from which an undescribed text column counts as free text.

    Returns
    -------
    list of str
        The free-text columns, in table order.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"wave": ["pre", "post"], "note": ["I felt listened to by the mayor", "The experts were biased, said Ann"]})
    >>> free_text_columns(df)
    ['note']
    """
    flagged: list[str] = []
    items = {it.id: it for it in instrument.items} if instrument is not None else {}
    for col in df.columns:
        it = items.get(col)
        if it is not None and instrument is not None:
            if it.free_text or instrument.response_scale(it.scale).type == "text":
                flagged.append(col)
            continue
        s = df[col]
        if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
            continue
        text = s.dropna().astype("str")
        if len(text) == 0:
            continue
        if text.str.len().mean() >= min_mean_length and text.nunique() >= 0.5 * len(text):
            flagged.append(col)
    return flagged


# --- direct identifiers: by column name (en / fr / nl / de / da) and by content -----------------

IDENTIFIER_CATEGORIES: tuple[str, ...] = (
    "e-mail", "ip_address", "device", "phone", "national_id", "birth_date", "geolocation",
    "address", "postcode", "account", "name",
)
"""Kinds of direct identifier :func:`find_identifiers` recognises, in the order a name matching
several is classified (``IP Address`` is an IP address, not an address)."""

# Words (accents folded, lower case, punctuation and spacing removed; also formed by joining up to
# three adjacent words, so "e-mail", "E Mail" and "EMail" all read "email") that name a kind.
_WORDS: dict[str, frozenset[str]] = {
    "e-mail": frozenset({
        "email", "emails", "emailaddress", "emailadres", "emailadresse", "emailid", "mail", "mails",
        "mailaddress", "mailadres", "mailadresse", "courriel", "courriels", "adressecourriel",
        "adresseelectronique", "adressemail", "adresseemail", "mel", "epost", "epostadresse",
    }),
    "ip_address": frozenset({
        "ip", "ipaddress", "ipaddr", "ipadresse", "ipadres", "ipadr", "ipv", "ipnumber", "ipnummer",
        "remoteaddr", "remoteip", "clientip",
    }),
    "device": frozenset({
        "deviceid", "imei", "simserial", "simid", "subscriberid", "macaddress", "macadresse",
        "macadres", "androidid", "advertisingid",
    }),
    "phone": frozenset({
        "phone", "phones", "phonenumber", "phoneno", "telephone", "telephonenumber", "tel", "telno",
        "telnr", "telefon", "telefonnummer", "telefonnr", "telefoon", "telefoonnummer", "telefoonnr",
        "tlf", "tlfnr", "tlfnummer", "mobile", "mobilephone", "mobilenumber", "mobil", "mobilnummer",
        "mobilnr", "mobiltelefon", "mobiel", "mobielnummer", "mobielnr", "gsm", "gsmnummer", "gsmnr",
        "handy", "handynummer", "portable", "numerodetelephone", "numerotelephone", "cell",
        "cellphone", "cellular", "cellnumber", "fax", "faxnummer",
    }),
    "national_id": frozenset({
        "cpr", "cprnr", "cprnummer", "personnummer", "personnr", "bsn", "burgerservicenummer",
        "rijksregisternummer", "insz", "nir", "ssn", "socialsecurity", "socialsecuritynumber",
        "securitesociale", "numerodesecuritesociale", "sozialversicherungsnummer", "steuerid",
        "nationalid", "nationalidnumber", "passport", "passportnumber", "passnummer",
        "personalausweis", "nino",
    }),
    "birth_date": frozenset({
        "dob", "dateofbirth", "birthdate", "birthday", "datedenaissance", "datenaissance",
        "geboortedatum", "geburtsdatum", "geburtstag", "fodselsdato", "foedselsdato", "fodselsdag",
    }),
    "geolocation": frozenset({
        "latitude", "longitude", "lat", "lon", "lng", "latlong", "latlon", "latlng", "geolocation",
        "geolocalisation", "geoloc", "geopoint", "geoshape", "geotrace", "gps", "gpscoordinates",
        "coordinates", "coordonnees", "coordonneesgps", "coordinaten", "koordinaten", "koordinater",
        "breitengrad", "langengrad", "laengengrad", "breedtegraad", "lengtegraad", "breddegrad",
        "laengdegrad",
    }),
    "address": frozenset({
        "address", "addresses", "addr", "adresse", "adressen", "adres", "street", "streetaddress",
        "streetname", "straat", "straatnaam", "strasse", "strassenname", "rue", "vej", "vejnavn",
        "gade", "gadenavn", "housenumber", "husnummer", "huisnummer", "hausnummer",
    }),
    "postcode": frozenset({
        "postcode", "postcodes", "postalcode", "zip", "zipcode", "postnummer", "postnr",
        "postleitzahl", "plz", "codepostal",
    }),
    "account": frozenset({
        "username", "usernames", "login", "loginname", "screenname", "accountname", "benutzername",
        "brugernavn", "gebruikersnaam", "nomdutilisateur", "submittedby",
    }),
    "name": frozenset({
        "name", "names", "nom", "noms", "naam", "namen", "navn", "navne", "firstname", "lastname",
        "surname", "fullname", "givenname", "familyname", "forename", "middlename", "nickname",
        "maidenname", "prenom", "prenoms", "nomdefamille", "nomcomplet", "vorname", "nachname",
        "familienname", "rufname", "voornaam", "achternaam", "familienaam", "roepnaam",
        "voorletters", "initials", "fornavn", "efternavn", "mellemnavn", "fuldtnavn", "fuldenavn",
        "kaldenavn", "pigenavn",
    }),
}
# compound words ending in a kind's word: "hjemmeadresse", "woonadres", "respondentname"
_SUFFIXES: dict[str, tuple[str, ...]] = {
    "e-mail": ("email", "emailadresse", "emailadres", "emailaddress", "courriel"),
    "phone": ("telefonnummer", "telefoonnummer", "phonenumber", "mobilnummer", "handynummer"),
    "address": ("address", "adresse", "adres"),
    "name": ("name", "names", "navn", "naam", "nom", "noms"),
}
# what may stand before a name word in one compound: first, last, vor, efter, voor, respondent ...
_NAME_PREFIXES = frozenset({
    "first", "last", "sur", "full", "given", "family", "middle", "nick", "maiden", "birth", "fore",
    "pre", "vor", "nach", "familien", "ruf", "geburts", "voor", "achter", "familie", "roep",
    "meisjes", "for", "efter", "mellem", "fulde", "fuldt", "kalde", "pige", "respondent",
    "respondents", "participant", "deltager", "deelnemer", "teilnehmer", "recipient", "contact",
    "kontakt", "person", "client", "customer", "klant", "kunde", "citizen", "borger", "burger",
    "member", "medlem", "home", "hjemme", "woon", "wohn", "post", "privat", "prive", "private",
})
# a bare "name" beside one of these names a thing, not a person: "process name", "nom du fichier"
_THING_WORDS = frozenset({
    "file", "fichier", "bestand", "datei", "fil", "process", "processus", "proces", "prozess",
    "scale", "echelle", "schaal", "skala", "item", "items", "variable", "variabele", "var",
    "column", "colonne", "kolom", "spalte", "kolonne", "survey", "enquete", "umfrage",
    "undersogelse", "form", "formulaire", "formulier", "formular", "instrument", "questionnaire",
    "vragenlijst", "fragebogen", "sporgeskema", "project", "projet", "projekt", "event",
    "evenement", "veranstaltung", "begivenhed", "product", "produit", "produkt", "company",
    "entreprise", "bedrijf", "firma", "unternehmen", "virksomhed", "organisation", "organization",
    "org", "organisatie", "party", "parti", "partij", "partei", "country", "pays", "land", "city",
    "ville", "stad", "stadt", "town", "municipality", "kommune", "gemeente", "commune", "gemeinde",
    "region", "place", "lieu", "plaats", "ort", "sted", "site", "school", "ecole", "schule",
    "skole", "host", "device", "display", "team", "equipe", "group", "groupe", "groep", "gruppe",
    "category", "categorie", "kategorie", "kategori", "dimension", "population", "source", "sheet",
    "tab", "task", "tache", "taak", "aufgabe", "opgave", "assembly", "committee", "comite",
    "commissie", "ausschuss", "udvalg", "session", "seance", "sitzung", "method", "methode",
    "language", "langue", "taal", "sprache", "sprog", "wave", "option", "choice", "choix", "keuze",
    "topic", "sujet", "onderwerp", "thema", "tema", "theme", "recommendation", "recommandation",
    "aanbeveling", "empfehlung", "anbefaling", "proposal", "voorstel", "vorschlag", "forslag",
    "policy", "politique", "beleid", "politik", "programme", "program", "programma", "programm",
    "field", "champ", "veld", "feld", "felt", "table", "tableau", "tabel", "tabelle", "dataset",
    "brand", "marque", "merk", "marke", "street", "rue", "straat", "strasse", "vej", "gade",
})
# a bare name word followed by one of these is the verb: "Name three issues", "name your priority"
_VERB_OBJECTS = frozenset({
    "your", "the", "a", "an", "one", "two", "three", "four", "five", "up", "any", "some", "all",
    "votre", "vos", "les", "des", "un", "une", "deux", "trois", "ihre", "ihren", "die", "zwei",
    "drei", "uw", "twee", "drie", "tre", "to",
})
# in a long heading (a question's text) a kind's word counts only beside a word that points to
# the person asked: "What is your e-mail address?" yes, "Did you read our e-mail invitation?" no
_PERSON_WORDS = frozenset({
    "your", "yours", "votre", "vos", "ton", "ta", "tes", "ihr", "ihre", "ihren", "ihrer", "dein",
    "deine", "deinen", "uw", "je", "jouw", "dit", "din", "dine", "jeres", "respondent",
    "respondents", "participant", "participants", "deelnemer", "teilnehmer", "teilnehmerin",
    "teilnehmenden", "deltager", "deltageren", "deltagers", "repondant", "befragte", "befragten",
    "recipient", "empfanger", "empfangers", "empfaengers", "destinataire", "ontvanger", "modtager",
    "modtagers", "member", "membre", "lid", "mitglied", "medlem", "citizen", "citoyen", "burger",
    "borger",
})
_LONG_HEADING = 5
# distinctive words (7 letters or more) that also count at the end of a longer word
_LONG_WORDS: tuple[tuple[str, str], ...] = tuple(
    (kind, w) for kind, words in _WORDS.items() for w in sorted(words)
    if len(w) >= 7 and w not in ("portable", "cellular"))  # transportable, intracellular
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE",
                       "ł": "l", "Ł": "L", "đ": "d", "Đ": "D"})
# canonical columns: never identifiers by their name (their content is still checked)
_CANONICAL_NAMES = frozenset({
    *ID_COLUMNS, *FUNNEL_STAGES, "person_id", "funnel_stage", "stage", "duration_seconds",
})


def _words(name: object) -> list[str]:
    """The words of a column name: accents folded, camelCase and digits split, lower case."""
    text = unicodedata.normalize("NFKD", str(name).translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", text)
    text = re.sub(r"(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])", " ", text)
    return re.findall(r"[a-z0-9]+", text.lower())


def _kinds_of(words: list[str]) -> set[str]:
    """Every kind whose word is one of ``words`` or two or three of them joined."""
    found: set[str] = set()
    for i in range(len(words)):
        for n in (1, 2, 3):
            if i + n > len(words):
                break
            gram = "".join(words[i:i + n])
            for kind, vocabulary in _WORDS.items():
                if gram in vocabulary:
                    if kind == "name" and n == 1 and gram in ("name", "names", "nom", "noms", "naam",
                                                              "namen", "navn", "navne"):
                        after = words[i + 1] if i + 1 < len(words) else ""
                        if after in _VERB_OBJECTS or _THING_WORDS.intersection(words):
                            continue
                    found.add(kind)
            if n == 1:
                for kind, word in _LONG_WORDS:
                    if gram.endswith(word) and gram != word:  # recipientfirstname, locationlatitude
                        found.add(kind)
                for kind, ends in _SUFFIXES.items():
                    for end in ends:
                        if gram.endswith(end) and gram != end:
                            head = gram[: -len(end)]
                            if kind != "name" or head in _NAME_PREFIXES:
                                found.add(kind)
    if "long" in words and "lat" in words:
        found.add("geolocation")
    return found


def identifier_category(name: object, *, demographic_ok: bool = True) -> str | None:
    """The kind of direct identifier a column's NAME announces, or None.

    Names are compared after folding accents and case and splitting camelCase, punctuation,
    spacing and digits, against words in English, French, Dutch, German and Danish (name, first
    and last name, e-mail, phone and mobile, address, street and postcode, IP address,
    geolocation, national id numbers, date of birth, device ids, user names), alone, in
    compounds (``telefoonnummer``, ``hjemmeadresse``) or spelled over two or three words
    (``E Mail``, ``date of birth``). Platform attributes are covered: Qualtrics
    ``RecipientEmail``, ``IPAddress``, ``LocationLatitude``; LimeSurvey ``email``,
    ``firstname``, ``ipaddr``; ODK ``deviceid``, ``phonenumber``, ``subscriberid``, ``simserial``.
    Some names are deliberately not identifiers: a bare "name" next to a thing (``process name``,
    ``nom du fichier``) or used as a verb (``Name three issues``); in a long heading (a question's
    text, more than five words) a word counts only next to a word pointing to the person asked
    (``your``, ``votre``, ``Ihr``, ``uw``, ``dit``, ``respondent`` ...). Canonical column names
    (``respondent_id``, ``person_id``, ``wave`` ...) are never identifiers by name. A
    ``demo_`` column (a declared demographic) is not flagged for a postcode, which stratifies
    samples and is published only in suppressed counts. Hashes are not exempt:
    ``username_hash`` is an account identifier (an unkeyed hash of a user name is undone by
    hashing the candidate names).

    Parameters
    ----------
    name : object
        A column name.
    demographic_ok : bool, default True
        Let ``demo_*`` columns hold a postcode.

    Returns
    -------
    str or None
        One of :data:`IDENTIFIER_CATEGORIES`, or None.

    Examples
    --------
    >>> [identifier_category(c) for c in ["Email Address", "prénom", "telefoonnummer", "Navn",
    ...                                    "Name of respondent", "Vorname", "mobile_phone"]]
    ['e-mail', 'name', 'phone', 'name', 'name', 'name', 'phone']
    >>> [identifier_category(c) for c in ["respondent_id", "process name", "trust_parliament",
    ...                                    "Please name three issues you care about"]]
    [None, None, None, None]
    """
    text = str(name)
    if text in _CANONICAL_NAMES:
        return None
    words = _words(text)
    if not words:
        return None
    demographic = text.lower().startswith("demo_")
    if demographic:
        words = _words(text[5:])
    if len(words) > _LONG_HEADING and not _PERSON_WORDS.intersection(words):
        return None
    kinds = _kinds_of(words)
    if demographic and demographic_ok:
        kinds.discard("postcode")
    return next((k for k in IDENTIFIER_CATEGORIES if k in kinds), None)


_EMAIL_RE = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[A-Za-z]{2,}$")
_PHONE_CHARS_RE = re.compile(r"^\+?[\d\s().\-/]+$")
_DATE_RE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")
_DECIMAL_RE = re.compile(r"^[+-]?\d+([.,]\d+)?$|^\d{1,3}([ ,.']\d{3})+([.,]\d+)?$")  # 3.14, 100 000 000
_CPR_RE = re.compile(r"^[0-3]\d[01]\d\d\d-?\d{4}$")
_GEO_RE = re.compile(
    r"^-?\d{1,2}\.\d{3,}\s*[,; ]\s*-?\d{1,3}\.\d{3,}(\s+-?\d+(\.\d+)?){0,2}$")


def _content_kind(value: str) -> str | None:
    """The kind of identifier one cell's text is shaped like, or None."""
    v = value.strip()
    if not v:
        return None
    if "@" in v:
        return "e-mail" if _EMAIL_RE.match(v) else None
    if _GEO_RE.match(v):
        return "geolocation"
    if v.count(".") == 3 or v.count(":") >= 2:
        try:
            ipaddress.ip_address(v)
        except ValueError:
            pass
        else:
            return "ip_address"
    if _PHONE_CHARS_RE.match(v) and not _DATE_RE.match(v) and not _DECIMAL_RE.match(v):
        if _CPR_RE.match(v) and "-" in v and len(v) == 11:
            return "national_id"
        digits = sum(ch.isdigit() for ch in v)
        separated = re.search(r"\d[\s().\-/]+\d", v) is not None
        if 8 <= digits <= 15 and (v.startswith(("+", "00")) or separated):
            return "phone"
    return None


def _content_evidence(s: pd.Series, min_share: float) -> tuple[str, int, int] | None:
    """(kind, matching cells, non-empty cells) when at least ``min_share`` of the cells match."""
    if pd.api.types.is_numeric_dtype(s.dtype) or pd.api.types.is_bool_dtype(s.dtype):
        return None
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return None
    text = s.dropna()
    if not isinstance(s.dtype, pd.StringDtype):  # a string column holds no numbers to leave out
        text = text[~text.map(lambda v: isinstance(v, int | float | bool | np.number))]
    counts = text.astype("str").str.strip().value_counts()
    counts = counts[counts.index != ""]
    total = int(counts.sum())
    if total == 0:
        return None
    # every kind needs a digit, an '@' or a ':' (IPv6 '::'): other values are not looked at
    candidates = counts[counts.index.str.contains(r"[0-9@:]", regex=True)]
    tally: dict[str, int] = {}
    for value, k in candidates.items():
        kind = _content_kind(str(value))
        if kind is not None:
            tally[kind] = tally.get(kind, 0) + int(k)
    if not tally:
        return None
    kind, hits = max(tally.items(), key=lambda kv: (kv[1], -IDENTIFIER_CATEGORIES.index(kv[0])))
    return (kind, hits, total) if hits >= min_share * total else None


#: Columns of :func:`find_identifiers`.
IDENTIFIER_COLUMNS: tuple[str, ...] = ("column", "category", "evidence", "reason")


def find_identifiers(
    df: pd.DataFrame,
    instrument: Instrument | None = None,
    *,
    exempt: Iterable[str] = (),
    by_content: bool = True,
    min_share: float = 0.5,
) -> pd.DataFrame:
    """Columns that look like direct identifiers, by their name or by their content.

    By name: :func:`identifier_category` (patterns in en / fr / nl / de / da), applied to the
    column's name and to its label (``attrs["column_labels"]``: SPSS / Stata variable labels,
    question texts of platform exports). By content:
    cells shaped like e-mail addresses, phone numbers (8 to 15 digits written with a leading
    ``+`` or ``00`` or with separators; plain digit strings, dates, decimals and numbers grouped
    by thousands are not: they are indistinguishable from ids and counts), IP addresses, Danish CPR numbers (``ddmmyy-xxxx``)
    or coordinates (``55.6761 12.5683``, ODK geopoints) in at least ``min_share`` of the non-empty
    cells. Canonical columns, instrument items and ``exempt`` columns are exempt from the name
    test only: ``respondent_id`` holding e-mail addresses is an identifier.

    Parameters
    ----------
    df : pandas.DataFrame
        Any table read from a file (responses, members, ...).
    instrument : Instrument, optional
        Its item ids are exempt from the name test.
    exempt : iterable of str
        Further column names exempt from the name test (the canonical columns of another
        table, e.g. ``name`` of the process table).
    by_content : bool, default True
        Also test the cells.
    min_share : float, default 0.5
        Share of non-empty cells that must look like one kind of identifier.

    Returns
    -------
    pandas.DataFrame
        One row per flagged column, in table order: ``column``, ``category`` (one of
        :data:`IDENTIFIER_CATEGORIES`), ``evidence`` (``name``, ``label`` or ``content``) and ``reason``
        (what was found, in words).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"respondent_id": ["r1", "r2"], "Navn": ["Ann", "Bo"],
    ...                    "contact": ["ann@x.dk", "bo@y.dk"], "wave": ["pre", "pre"]})
    >>> find_identifiers(df)[["column", "category", "evidence"]].to_dict("records")
    [{'column': 'Navn', 'category': 'name', 'evidence': 'name'}, {'column': 'contact', 'category': 'e-mail', 'evidence': 'content'}]
    """
    if not 0 < float(min_share) <= 1:
        raise DataInputError(f"min_share must be in (0, 1], got {min_share}")
    skip = set(exempt) | (set(instrument.item_ids()) if instrument is not None else set())
    labels = df.attrs.get("column_labels") or {}
    rows = []
    for col in df.columns:
        kind = None if col in skip else identifier_category(col)
        if kind is not None:
            rows.append({"column": col, "category": kind, "evidence": "name",
                         "reason": f"its name reads as {kind.replace('_', ' ')}"})
            continue
        label = labels.get(col) if isinstance(labels, dict) else None
        kind = None if col in skip or not isinstance(label, str) else identifier_category(label)
        if kind is not None and isinstance(label, str):
            rows.append({"column": col, "category": kind, "evidence": "label",
                         "reason": f"its label {label[:60]!r} reads as {kind.replace('_', ' ')}"})
            continue
        if by_content:
            series = df[col]
            if isinstance(series, pd.DataFrame):  # duplicated column name: test the first
                series = series.iloc[:, 0]
            found = _content_evidence(series, float(min_share))
            if found is not None:
                what, hits, total = found
                rows.append({"column": col, "category": what, "evidence": "content",
                             "reason": f"{hits} of {total} non-empty cells look like "
                                       f"{_CONTENT_WORDS[what]}"})
    return pd.DataFrame(rows, columns=list(IDENTIFIER_COLUMNS))


_CONTENT_WORDS = {
    "e-mail": "e-mail addresses", "phone": "phone numbers", "ip_address": "IP addresses",
    "national_id": "CPR numbers", "geolocation": "coordinates",
}


def identifier_columns(df: pd.DataFrame, instrument: Instrument | None = None, *,
                       exempt: Iterable[str] = (), by_content: bool = True) -> list[str]:
    """The columns :func:`find_identifiers` flags, in table order.

    Examples
    --------
    >>> import pandas as pd
    >>> identifier_columns(pd.DataFrame({"courriel": ["a@b.fr"], "telefon": ["+45 20 12 34 56"], "q1": [3]}))
    ['courriel', 'telefon']
    """
    return find_identifiers(df, instrument, exempt=exempt, by_content=by_content)["column"].tolist()


def pseudonymise(
    df: pd.DataFrame,
    id_columns: Sequence[str] = ("respondent_id",),
    *,
    key: bytes | str | None = None,
    key_file: str | os.PathLike[str] | None = None,
    drop: Iterable[str] | None = None,
    instrument: Instrument | None = None,
    length: int = 16,
) -> pd.DataFrame:
    """Replace identifiers by keyed pseudonyms and drop direct identifiers.

    Parameters
    ----------
    df : pandas.DataFrame
    id_columns : sequence of str, default ("respondent_id",)
        Columns whose values are replaced by ``HMAC-SHA256(key, value)`` (hex, first
        ``length`` characters). The same id gives the same pseudonym in every wave and file
        pseudonymised with the same key, so tables still join.
    key, key_file : optional
        The secret key, or a file holding it; default: the ``DELIBERVAL_PSEUDONYM_KEY``
        environment variable.
    drop : iterable of str, optional
        Columns to remove; default every column other than ``id_columns`` that
        :func:`find_identifiers` flags by its name (name, e-mail, phone, address, IP address,
        geolocation ... in en / fr / nl / de / da) or by its content (e-mail addresses, phone
        numbers ...); the item ids of ``instrument`` are exempt from the name test.
    instrument : Instrument, optional
        Used to flag free-text items.
    length : int, default 16
        Hex characters kept (16 = 64 bits; collisions are negligible below millions of ids).

    Returns
    -------
    pandas.DataFrame
        A new table. ``attrs["free_text_columns"]`` lists columns never to publish and
        ``attrs["dropped_columns"]`` the columns removed. The key is not stored.

    Raises
    ------
    DataInputError
        No key, short key, or an id column that is absent.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"respondent_id": ["001", "002", "001"], "email": ["a@x.dk", "b@x.dk", "a@x.dk"],
    ...                    "wave": ["pre", "pre", "post"]})
    >>> out = pseudonymise(df, key="correct horse battery staple")
    >>> out.columns.tolist(), out.attrs["dropped_columns"]
    (['respondent_id', 'wave'], ['email'])
    >>> out["respondent_id"].tolist()
    ['c0480dbbca4034e6', '6d2009f692579d99', 'c0480dbbca4034e6']
    """
    if not isinstance(df, pd.DataFrame):
        raise DataInputError(f"data must be a pandas DataFrame, got {type(df).__name__}")
    if not 8 <= int(length) <= 64:
        raise DataInputError(f"length must be between 8 and 64 hex characters, got {length}")
    secret = load_key(key, key_file)
    absent = [c for c in id_columns if c not in df.columns]
    if absent:
        raise DataInputError(f"id column(s) {absent} not in the data; columns present: {list(df.columns)[:20]}")
    if drop is None:
        flagged = set(identifier_columns(df, instrument))
        to_drop = [c for c in df.columns if c in flagged and c not in id_columns]
    else:
        to_drop = [c for c in drop if c in df.columns]
    out = df.drop(columns=to_drop)
    for col in id_columns:
        s = out[col]
        codes = s.astype("str").where(s.notna())
        uniq = codes.dropna().unique()
        table = {v: hmac.new(secret, str(v).encode("utf-8"), hashlib.sha256).hexdigest()[:length] for v in uniq}
        out[col] = codes.map(table).astype("str").where(codes.notna())
    out.attrs = {k: v for k, v in df.attrs.items() if k not in ("key", "secret")}
    out.attrs["dropped_columns"] = list(to_drop)
    out.attrs["free_text_columns"] = free_text_columns(out.drop(columns=list(id_columns)), instrument)
    return out


def suppress_small_cells(table: pd.DataFrame, n_column: str, threshold: int = 5) -> pd.DataFrame:
    """Blank every number in rows whose count is below ``threshold`` (statistical disclosure control).

    Rows with ``0 < n < threshold`` could reveal individuals; their ``n`` and every other numeric
    column become NA and a boolean ``suppressed`` column is added. Rows with ``n == 0`` disclose
    nobody and are kept. Rows whose count is missing (NA) are kept as they are, with their count
    left NA and ``suppressed`` False; a count that is present but not a number is an error.
    Whole counts come back as ``Int64``; weighted (non-whole) counts are compared with the
    threshold as they are and come back as ``Float64``.

    This is the threshold rule alone: a hidden row can still be derived from a total published
    elsewhere. Published tables go through :func:`deliberval.disclosure.protect`, which adds the
    complement rule for shares and secondary suppression (the report applies it to every table).

    Parameters
    ----------
    table : pandas.DataFrame
        A report table with one count column.
    n_column : str
        The count column.
    threshold : int, default 5
        Smallest count that may be published.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"group": ["a", "b", "c"], "n": [12, 3, 0], "mean": [4.2, 3.9, float("nan")]})
    >>> suppress_small_cells(t, "n")
      group     n  mean  suppressed
    0     a    12   4.2       False
    1     b  <NA>   NaN        True
    2     c     0   NaN       False
    """
    if n_column not in table.columns:
        raise DataInputError(f"table has no count column {n_column!r}; columns: {list(table.columns)}")
    if int(threshold) < 1:
        raise DataInputError(f"threshold must be at least 1, got {threshold}")
    raw = table[n_column]
    n = pd.to_numeric(raw, errors="coerce")
    bad = n.isna() & raw.notna()
    if bad.any():
        raise DataInputError(
            f"count column {n_column!r} holds non-numeric values {sorted(map(str, set(raw[bad])))[:5]}; "
            "expected whole numbers or missing values")
    small = ((n > 0) & (n < threshold)).fillna(False).to_numpy(dtype=bool)
    out = table.copy()
    # a weighted count (3.2) is compared with the threshold as it is and stays a decimal number
    whole = bool(((n.dropna() % 1) == 0).all())
    out[n_column] = (n.astype("Int64") if whole else n.astype("Float64")).mask(small)
    for col in out.columns:
        if col != n_column and pd.api.types.is_numeric_dtype(out[col].dtype) and not pd.api.types.is_bool_dtype(out[col].dtype):
            out[col] = out[col].mask(small, np.nan) if out[col].dtype.kind == "f" else out[col].astype("Float64").mask(small)
    out["suppressed"] = small
    return out
