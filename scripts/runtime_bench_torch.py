#!/usr/bin/python3
"""The PyTorch-eager side of bench/runtime_bench (Debian's python3-torch).

  runtime_bench_torch.py make DIR      writes bench_20m/ and bench_100m/ (random Llama weights,
                                       f32 safetensors, config.json) under DIR
  runtime_bench_torch.py run MODEL_DIR [float32|bfloat16]  times batched scoring (8 x (96 prompt + 32 continuation
                                       tokens)) and batch-1 generation on the
                                       same weights, the same way bench/runtime_bench.cpp does,
                                       and prints one JSON line

The forward pass is the transformers Llama math (as in make_runtime_fixtures.py) with a KV
cache for generation, in eager mode under torch.inference_mode(), one thread."""
import json
import math
import pathlib
import struct
import sys
import time

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from make_runtime_fixtures import inv_freq, rms_norm, rotate_half, write_safetensors  # noqa: E402

SIZES = {
    "bench_20m": dict(hidden_size=256, intermediate_size=688, num_hidden_layers=8, num_attention_heads=8,
                      num_key_value_heads=4, vocab_size=32000, tie_word_embeddings=False),
    "bench_100m": dict(hidden_size=768, intermediate_size=2048, num_hidden_layers=12, num_attention_heads=12,
                       num_key_value_heads=4, vocab_size=32000, tie_word_embeddings=True),
}
SCORE_BATCH, SCORE_LEN, SCORE_PROMPT, GEN_PROMPT, GEN_NEW = 8, 128, 96, 32, 64


def make(out):
    for name, s in SIZES.items():
        cfg = dict(s, architectures=["LlamaForCausalLM"], model_type="llama", head_dim=s["hidden_size"] // s["num_attention_heads"],
                   max_position_embeddings=2048, rope_theta=10000.0, rms_norm_eps=1e-5, hidden_act="silu", torch_dtype="float32")
        g = torch.Generator().manual_seed(0)
        h, i, v, H, KV, D = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"], cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
        r = lambda *shape: torch.randn(*shape, generator=g) * 0.02  # noqa: E731
        W = {"model.embed_tokens.weight": r(v, h), "model.norm.weight": torch.ones(h)}
        if not cfg["tie_word_embeddings"]:
            W["lm_head.weight"] = r(v, h)
        for l in range(cfg["num_hidden_layers"]):
            p = f"model.layers.{l}."
            W.update({p + "input_layernorm.weight": torch.ones(h), p + "post_attention_layernorm.weight": torch.ones(h),
                      p + "self_attn.q_proj.weight": r(H * D, h), p + "self_attn.k_proj.weight": r(KV * D, h),
                      p + "self_attn.v_proj.weight": r(KV * D, h), p + "self_attn.o_proj.weight": r(h, H * D),
                      p + "mlp.gate_proj.weight": r(i, h), p + "mlp.up_proj.weight": r(i, h), p + "mlp.down_proj.weight": r(h, i)})
        d = pathlib.Path(out) / name
        d.mkdir(parents=True, exist_ok=True)
        (d / "config.json").write_text(json.dumps(cfg, indent=2))
        write_safetensors(d / "model.safetensors", W)
        print(name, sum(t.numel() for t in W.values()), "parameters")


def load(d):
    cfg = json.loads((d / "config.json").read_text())
    raw = (d / "model.safetensors").read_bytes()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    buf = bytearray(raw[8 + n:])
    W = {}
    for k, t in header.items():
        if k == "__metadata__":
            continue
        a, b = t["data_offsets"]
        W[k] = torch.frombuffer(buf, dtype=torch.float32, offset=a, count=(b - a) // 4).view(t["shape"])
    return cfg, W


class Model:
    def __init__(self, cfg, W, dtype=torch.float32):
        W = {k: v.to(dtype) for k, v in W.items()}
        self.c, self.W, self.dtype = cfg, W, dtype
        self.head = W["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else W["lm_head.weight"]
        self.inv = inv_freq(cfg)

    def forward(self, ids, pos0=0, cache=None):
        c, W = self.c, self.W
        B, T = ids.shape
        H, KV, D = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
        x = torch.nn.functional.embedding(ids, W["model.embed_tokens.weight"])
        freqs = torch.arange(pos0, pos0 + T).float()[:, None] * self.inv[None, :]
        emb = torch.cat((freqs, freqs), -1)
        cos, sin = emb.cos()[None, None].to(self.dtype), emb.sin()[None, None].to(self.dtype)
        S = pos0 + T
        mask = torch.full((T, S), float("-inf")).triu(pos0 + 1)
        for l in range(c["num_hidden_layers"]):
            p = f"model.layers.{l}."
            hn = rms_norm(x, W[p + "input_layernorm.weight"], c["rms_norm_eps"])
            q = torch.nn.functional.linear(hn, W[p + "self_attn.q_proj.weight"]).view(B, T, H, D).transpose(1, 2)
            k = torch.nn.functional.linear(hn, W[p + "self_attn.k_proj.weight"]).view(B, T, KV, D).transpose(1, 2)
            v = torch.nn.functional.linear(hn, W[p + "self_attn.v_proj.weight"]).view(B, T, KV, D).transpose(1, 2)
            q = q * cos + rotate_half(q) * sin
            k = k * cos + rotate_half(k) * sin
            if cache is not None:
                if l in cache:
                    k = torch.cat((cache[l][0], k), 2)
                    v = torch.cat((cache[l][1], v), 2)
                cache[l] = (k, v)
            k = k.repeat_interleave(H // KV, 1)
            v = v.repeat_interleave(H // KV, 1)
            a = torch.softmax((q @ k.transpose(2, 3)).float() / math.sqrt(D) + mask, -1).to(self.dtype)
            o = (a @ v).transpose(1, 2).reshape(B, T, H * D)
            x = x + torch.nn.functional.linear(o, W[p + "self_attn.o_proj.weight"])
            hn = rms_norm(x, W[p + "post_attention_layernorm.weight"], c["rms_norm_eps"])
            g = torch.nn.functional.linear(hn, W[p + "mlp.gate_proj.weight"])
            u = torch.nn.functional.linear(hn, W[p + "mlp.up_proj.weight"])
            x = x + torch.nn.functional.linear(torch.nn.functional.silu(g) * u, W[p + "mlp.down_proj.weight"])
        x = rms_norm(x, W["model.norm.weight"], c["rms_norm_eps"])
        return (x @ self.head.t()).float()


def best_of(n, f):
    best = float("inf")
    for _ in range(n):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def run(d, dtype="float32"):
    torch.set_num_threads(1)
    cfg, W = load(pathlib.Path(d))
    m = Model(cfg, W, getattr(torch, dtype))
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, cfg["vocab_size"], (SCORE_BATCH, SCORE_LEN), generator=g)
    prompt = torch.randint(0, cfg["vocab_size"], (1, GEN_PROMPT), generator=g)
    with torch.inference_mode():
        def score():
            # As one scores with transformers: the model's logits, then the continuation's slice.
            logits = m.forward(ids)
            torch.log_softmax(logits[:, SCORE_PROMPT - 1:-1], -1).gather(2, ids[:, SCORE_PROMPT:, None]).sum()

        def generate():
            cache = {}
            logits = m.forward(prompt, 0, cache)
            tok = logits[:, -1].argmax(-1, keepdim=True)
            for step in range(GEN_NEW - 1):
                logits = m.forward(tok, GEN_PROMPT + step, cache)
                tok = logits[:, -1].argmax(-1, keepdim=True)

        score()
        ts = best_of(5, score)
        generate()
        tg = best_of(5, generate)
    print(json.dumps({"impl": "pytorch-eager", "model": pathlib.Path(d).name, "dtype": dtype,
                      "score_tokens_per_s": SCORE_BATCH * SCORE_LEN / ts, "generate_tokens_per_s": GEN_NEW / tg}))


if __name__ == "__main__":
    {"make": make, "run": run}[sys.argv[1]](*sys.argv[2:])
