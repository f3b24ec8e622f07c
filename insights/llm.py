"""Optional LLM narrator behind an OpenAI-compatible chat endpoint (off unless UNDERCUT_LLM_URL is set).

The template narration is always computed first; the LLM only rewrites it. Any failure (connection, timeout, HTTP
error, an answer that is not one text per story) keeps the template text, and the first failure turns the narrator
off for the rest of the run so an unreachable endpoint costs one timeout, not one per race."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass

import httpx
import pandas as pd

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "it": "Italian"}
LENGTH_HINTS = {"short": "one short sentence", "medium": "one or two sentences", "long": "three sentences at most"}


@dataclass
class LlmNarrator:
    url: str  # base URL of the OpenAI-compatible API, e.g. http://127.0.0.1:8000/v1
    model: str
    api_key: str | None = None
    timeout_s: float = 10.0
    failure: str | None = None

    @classmethod
    def from_env(cls) -> LlmNarrator | None:
        url = os.environ.get("UNDERCUT_LLM_URL")
        if not url:
            return None
        return cls(url=url.rstrip("/"), model=os.environ.get("UNDERCUT_LLM_MODEL", "default"),
                   api_key=os.environ.get("UNDERCUT_LLM_API_KEY") or None)

    @property
    def name(self) -> str:
        return f"llm:{self.model}"

    def rewrite(self, race_name: str, language: str, tone: str, length: str, drafts: list[str]) -> list[str] | None:
        """One rewritten text per draft, or None (and the narrator switches off) when anything goes wrong."""
        if self.failure is not None or not drafts:
            return None
        prompt = (f"You write Formula 1 race coverage of the {race_name}. Rewrite each numbered story in "
                  f"{LANGUAGE_NAMES.get(language, language)}, {tone} tone, {LENGTH_HINTS[length]} each. Keep every "
                  "fact, name and number; add nothing. Answer with a JSON array of strings only, one per story, "
                  "in the same order.")
        body = {"model": self.model, "temperature": 0.3,
                "messages": [{"role": "system", "content": prompt},
                             {"role": "user", "content": json.dumps(drafts, ensure_ascii=False)}]}
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            response = httpx.post(f"{self.url}/chat/completions", json=body, headers=headers, timeout=self.timeout_s)
            response.raise_for_status()
            texts = json.loads(response.json()["choices"][0]["message"]["content"])
            if not (isinstance(texts, list) and len(texts) == len(drafts) and all(isinstance(t, str) and t.strip()
                                                                                  for t in texts)):
                raise ValueError(f"expected a JSON array of {len(drafts)} non-empty strings")
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            self.failure = f"{type(exc).__name__}: {exc}"
            log.warning("LLM narrator off for this run, template narration kept: %s", self.failure)
            return None
        return [t.strip() for t in texts]


def apply(narrated: pd.DataFrame, race_name: str, narrator: LlmNarrator | None) -> pd.DataFrame:
    """narration.narrate's frame with the LLM's text where it answered; `narrator` records who wrote each row."""
    if narrator is None or narrated.empty:
        return narrated
    out = narrated.copy()
    for (language, tone, length), part in out.groupby(["language", "tone", "length"], sort=False):
        texts = narrator.rewrite(race_name, str(language), str(tone), str(length), part["text"].tolist())
        if texts is None:
            break
        out.loc[part.index, "text"] = texts
        out.loc[part.index, "narrator"] = narrator.name
    return out
