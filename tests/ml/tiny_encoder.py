"""A tiny random BERT encoder + word-level tokenizer saved like a Hugging Face model, so
embedding tests run in seconds instead of loading MiniLM."""

from __future__ import annotations

from pathlib import Path

from tests.ml.conftest import CLOSERS, OPENERS, PHRASES

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def build_tiny_encoder(directory: Path, seed: int = 0) -> Path:
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    words = sorted(
        {
            word
            for text in [*(p for ps in PHRASES.values() for p in ps), *OPENERS, *CLOSERS]
            for word in text.replace(",", " , ").replace(":", " : ").replace("?", " ? ").split()
        }
    )
    directory.mkdir(parents=True, exist_ok=True)
    vocab = directory / "vocab.txt"
    vocab.write_text("\n".join(SPECIAL + words + [",", ":", "?"]) + "\n", encoding="utf-8")
    BertTokenizer(vocab_file=str(vocab), do_lower_case=True).save_pretrained(str(directory))
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(SPECIAL) + len(words) + 3,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    BertModel(config).eval().save_pretrained(str(directory))
    return directory
