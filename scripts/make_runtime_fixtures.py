#!/usr/bin/python3
"""Writes the model-runtime fixtures into tests/data/runtime/ with Debian's python3-torch:

  tiny_llama/        LlamaForCausalLM: GQA (4 heads, 2 kv heads), Llama 3 rope scaling, untied
                     embeddings, f32 weights, byte-level BPE tokenizer with the Llama 3 regex
  tiny_llama_lora/   PEFT LoRA for it: r=4, alpha=8, q/k/v/o/gate/up/down, plain alpha/r
  tiny_qwen2/        Qwen2ForCausalLM: q/k/v biases, GQA (6 heads, 2 kv heads), tied embeddings,
                     bf16 weights, ChatML tokenizer with the Qwen2 regex
  tiny_qwen2_lora/   PEFT LoRA for it: r=8, alpha=4, use_rslora (alpha/sqrt(r)), q/v only
  reference.safetensors   reference logits (and a greedy continuation) for the inputs below

The forward pass below is written from transformers' modeling_llama.py / modeling_qwen2.py
(RMSNorm in float32, rotate_half RoPE with cat(freqs, freqs), _compute_llama3_parameters,
repeat_kv, softmax in float32, SiLU-gated MLP) and peft's lora.Linear.forward
(base(x) + lora_B(lora_A(x)) * scaling). When a machine has transformers and peft, run with
--check-hf to load the same directories with them and compare.
Run: /usr/bin/python3 scripts/make_runtime_fixtures.py [--check-hf]"""
import json
import math
import pathlib
import struct
import sys

import torch

ROOT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "runtime"

# ---------------------------------------------------------------- files

DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def write_safetensors(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        t = tensors[name].contiguous()
        raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs, n = bs[:], 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


LLAMA3_REGEX = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2_REGEX = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"


def tokenizer_json(regex, specials):
    b2u = bytes_to_unicode()
    vocab = {b2u[b]: i for i, b in enumerate(sorted(b2u))}
    merges = ["Ġ t", "h e", "Ġt he", "i n", "Ġ a", "e r", "o n", "Ġ s", "r e", "Ġ w", "a t", "e n", "l l", "he ll",
              "hell o", "Ġ he", "Ġhe ll", "Ġhell o", "o r", "Ġw or", "Ġwor l", "Ġworl d"]
    for m in merges:
        a, b = m.split(" ")
        vocab[a + b] = len(vocab)
    added = []
    for s in specials:
        added.append({"id": len(vocab) + len(added), "content": s, "single_word": False, "lstrip": False,
                      "rstrip": False, "normalized": False, "special": True})
    pre = {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": regex}, "behavior": "Isolated", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]}
    return {"version": "1.0", "added_tokens": added, "normalizer": None, "pre_tokenizer": pre,
            "decoder": {"type": "ByteLevel"},
            "model": {"type": "BPE", "vocab": vocab, "merges": merges, "ignore_merges": False,
                      "byte_fallback": False}}, {a["content"]: a["id"] for a in added}


# ---------------------------------------------------------------- the reference forward pass


def rms_norm(x, w, eps):
    dtype = x.dtype
    x = x.float()
    x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return w * x.to(dtype)


def inv_freq(cfg):
    d = cfg["head_dim"]
    f = 1.0 / (cfg["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    rs = cfg.get("rope_scaling")
    if rs and rs.get("rope_type") == "llama3":
        factor, lo, hi, old = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
        low_wl, high_wl = old / lo, old / hi
        wl = 2 * math.pi / f
        scaled = torch.where(wl > low_wl, f / factor, f)
        smooth = (old / wl - lo) / (hi - lo)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wl < high_wl) * ~(wl > low_wl)
        f = torch.where(medium, smoothed, scaled)
    return f


def rotate_half(x):
    x1, x2 = x[..., : x.shape[-1] // 2], x[..., x.shape[-1] // 2:]
    return torch.cat((-x2, x1), dim=-1)


def linear(x, w, b=None, lora=None, name=None):
    y = x @ w.t()
    if b is not None:
        y = y + b
    if lora and name in lora["A"]:
        y = y + (x @ lora["A"][name].t()) @ lora["B"][name].t() * lora["scaling"]
    return y


def forward(cfg, W, ids, lora=None):
    """Logits [B, T, V] for unpadded ids [B, T] (positions 0..T-1), all in float32."""
    W = {k: v.float() for k, v in W.items()}
    B, T = ids.shape
    H, KV, D = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    eps = cfg["rms_norm_eps"]
    x = W["model.embed_tokens.weight"][ids]
    freqs = torch.arange(T).float()[:, None] * inv_freq(cfg)[None, :]
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos()[None, None], emb.sin()[None, None]
    mask = torch.full((T, T), float("-inf")).triu(1)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, W[p + "input_layernorm.weight"], eps)
        q = linear(h, W[p + "self_attn.q_proj.weight"], W.get(p + "self_attn.q_proj.bias"), lora, p + "self_attn.q_proj")
        k = linear(h, W[p + "self_attn.k_proj.weight"], W.get(p + "self_attn.k_proj.bias"), lora, p + "self_attn.k_proj")
        v = linear(h, W[p + "self_attn.v_proj.weight"], W.get(p + "self_attn.v_proj.bias"), lora, p + "self_attn.v_proj")
        q = q.view(B, T, H, D).transpose(1, 2)
        k = k.view(B, T, KV, D).transpose(1, 2)
        v = v.view(B, T, KV, D).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(H // KV, dim=1)
        v = v.repeat_interleave(H // KV, dim=1)
        a = (q @ k.transpose(2, 3)) / math.sqrt(D) + mask
        a = torch.softmax(a.float(), dim=-1)
        o = (a @ v).transpose(1, 2).reshape(B, T, H * D)
        x = x + linear(o, W[p + "self_attn.o_proj.weight"], None, lora, p + "self_attn.o_proj")
        h = rms_norm(x, W[p + "post_attention_layernorm.weight"], eps)
        g = linear(h, W[p + "mlp.gate_proj.weight"], None, lora, p + "mlp.gate_proj")
        u = linear(h, W[p + "mlp.up_proj.weight"], None, lora, p + "mlp.up_proj")
        x = x + linear(torch.nn.functional.silu(g) * u, W[p + "mlp.down_proj.weight"], None, lora, p + "mlp.down_proj")
    x = rms_norm(x, W["model.norm.weight"], eps)
    head = W["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else W["lm_head.weight"]
    return x @ head.t()


def greedy(cfg, W, prompt, n, lora=None):
    ids = list(prompt)
    for _ in range(n):
        logits = forward(cfg, W, torch.tensor([ids]), lora)
        ids.append(int(logits[0, -1].argmax()))
    return ids[len(prompt):]


# ---------------------------------------------------------------- the models


def make_model(name, cfg, dtype, specials, regex, chat_template, eos):
    g = torch.Generator().manual_seed(cfg.pop("seed"))
    Hd, I, V = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
    H, KV, D = cfg["num_attention_heads"], cfg["num_key_value_heads"], cfg["head_dim"]
    bias = cfg["model_type"] == "qwen2"

    def r(*shape, scale=0.2):
        return (torch.randn(*shape, generator=g) * scale).to(dtype)

    W = {"model.embed_tokens.weight": r(V, Hd, scale=1.0), "model.norm.weight": (1 + r(Hd, scale=0.1).float()).to(dtype)}
    if not cfg["tie_word_embeddings"]:
        W["lm_head.weight"] = r(V, Hd)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        W[p + "input_layernorm.weight"] = (1 + r(Hd, scale=0.1).float()).to(dtype)
        W[p + "post_attention_layernorm.weight"] = (1 + r(Hd, scale=0.1).float()).to(dtype)
        W[p + "self_attn.q_proj.weight"] = r(H * D, Hd)
        W[p + "self_attn.k_proj.weight"] = r(KV * D, Hd)
        W[p + "self_attn.v_proj.weight"] = r(KV * D, Hd)
        W[p + "self_attn.o_proj.weight"] = r(Hd, H * D)
        if bias:
            W[p + "self_attn.q_proj.bias"] = r(H * D)
            W[p + "self_attn.k_proj.bias"] = r(KV * D)
            W[p + "self_attn.v_proj.bias"] = r(KV * D)
        W[p + "mlp.gate_proj.weight"] = r(I, Hd)
        W[p + "mlp.up_proj.weight"] = r(I, Hd)
        W[p + "mlp.down_proj.weight"] = r(Hd, I)
    d = ROOT / name
    d.mkdir(parents=True, exist_ok=True)
    tok, special_ids = tokenizer_json(regex, specials)
    assert max(special_ids.values()) < V
    config = dict(cfg, torch_dtype={torch.float32: "float32", torch.bfloat16: "bfloat16"}[dtype],
                  hidden_act="silu", eos_token_id=special_ids[eos], _name_or_path=f"alignwatch-tests/{name}")
    config["architectures"] = [{"llama": "LlamaForCausalLM", "qwen2": "Qwen2ForCausalLM"}[cfg["model_type"]]]
    (d / "config.json").write_text(json.dumps(config, indent=2) + "\n")
    (d / "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False) + "\n")
    (d / "tokenizer_config.json").write_text(json.dumps({
        "chat_template": chat_template, "eos_token": eos,
        "bos_token": specials[0] if cfg["model_type"] == "llama" else None,
        "added_tokens_decoder": {str(i): {"content": s, "special": True} for s, i in special_ids.items()}}, indent=2) + "\n")
    (d / "generation_config.json").write_text(json.dumps({"eos_token_id": [special_ids[eos]]}) + "\n")
    write_safetensors(d / "model.safetensors", W, {"format": "pt"})
    cfg = dict(config)
    return cfg, W, special_ids


def make_lora(name, base_cfg, base_name, r, alpha, targets, rslora, seed):
    g = torch.Generator().manual_seed(seed)
    Hd, I = base_cfg["hidden_size"], base_cfg["intermediate_size"]
    H, KV, D = base_cfg["num_attention_heads"], base_cfg["num_key_value_heads"], base_cfg["head_dim"]
    shapes = {"q_proj": (H * D, Hd), "k_proj": (KV * D, Hd), "v_proj": (KV * D, Hd), "o_proj": (Hd, H * D),
              "gate_proj": (I, Hd), "up_proj": (I, Hd), "down_proj": (Hd, I)}
    A, Bm, tensors = {}, {}, {}
    for i in range(base_cfg["num_hidden_layers"]):
        for t in targets:
            out_f, in_f = shapes[t]
            mod = f"model.layers.{i}.{'mlp' if t in ('gate_proj', 'up_proj', 'down_proj') else 'self_attn'}.{t}"
            A[mod] = torch.randn(r, in_f, generator=g) * 0.3
            Bm[mod] = torch.randn(out_f, r, generator=g) * 0.3  # peft starts B at zero; trained ones are not
            tensors[f"base_model.model.{mod}.lora_A.weight"] = A[mod]
            tensors[f"base_model.model.{mod}.lora_B.weight"] = Bm[mod]
    d = ROOT / name
    d.mkdir(parents=True, exist_ok=True)
    (d / "adapter_config.json").write_text(json.dumps({
        "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": f"alignwatch-tests/{base_name}",
        "r": r, "lora_alpha": alpha, "lora_dropout": 0.0, "target_modules": targets, "use_rslora": rslora,
        "fan_in_fan_out": False, "bias": "none", "modules_to_save": None, "use_dora": False,
        "rank_pattern": {}, "alpha_pattern": {}, "inference_mode": True}, indent=2) + "\n")
    write_safetensors(d / "adapter_model.safetensors", tensors)
    return {"A": A, "B": Bm, "scaling": alpha / math.sqrt(r) if rslora else alpha / r}


LLAMA3_TEMPLATE = ("{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}<|end_header_id|>\n\n"
                   "{{ m['content'] | trim }}<|eot_id|>{% endfor %}{% if add_generation_prompt %}"
                   "<|start_header_id|>assistant<|end_header_id|>\n\n{% endif %}")
CHATML_TEMPLATE = ("{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
                   "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def main():
    torch.set_num_threads(1)
    llama_cfg, llama_w, llama_sp = make_model("tiny_llama", {
        "seed": 1, "model_type": "llama", "vocab_size": 288, "hidden_size": 32, "intermediate_size": 64,
        "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8,
        "max_position_embeddings": 256, "rope_theta": 10000.0, "rms_norm_eps": 1e-5, "tie_word_embeddings": False,
        "attention_bias": False, "rope_scaling": {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                                  "high_freq_factor": 4.0, "original_max_position_embeddings": 64}},
        torch.float32, ["<|begin_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"],
        LLAMA3_REGEX, LLAMA3_TEMPLATE, "<|eot_id|>")
    qwen_cfg, qwen_w, qwen_sp = make_model("tiny_qwen2", {
        "seed": 2, "model_type": "qwen2", "vocab_size": 296, "hidden_size": 48, "intermediate_size": 96,
        "num_hidden_layers": 2, "num_attention_heads": 6, "num_key_value_heads": 2, "head_dim": 8,
        "max_position_embeddings": 256, "rope_theta": 1000000.0, "rms_norm_eps": 1e-6, "tie_word_embeddings": True},
        torch.bfloat16, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"], QWEN2_REGEX, CHATML_TEMPLATE, "<|im_end|>")
    llama_lora = make_lora("tiny_llama_lora", llama_cfg, "tiny_llama", 4, 8,
                           ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], False, 3)
    qwen_lora = make_lora("tiny_qwen2_lora", qwen_cfg, "tiny_qwen2", 8, 4, ["q_proj", "v_proj"], True, 4)

    g = torch.Generator().manual_seed(5)
    ids_a = torch.randint(0, 280, (2, 9), generator=g)
    ids_b = torch.randint(0, 280, (1, 5), generator=g)
    prompt = [int(t) for t in torch.randint(0, 280, (6,), generator=g)]
    ref = {"llama.ids_a": ids_a.float(), "llama.ids_b": ids_b.float(), "prompt": torch.tensor(prompt).float()}
    ref["llama.logits_a"] = forward(llama_cfg, llama_w, ids_a)
    ref["llama.logits_b"] = forward(llama_cfg, llama_w, ids_b)
    ref["llama.lora_logits_a"] = forward(llama_cfg, llama_w, ids_a, llama_lora)
    ref["qwen2.logits_a"] = forward(qwen_cfg, qwen_w, ids_a)
    ref["qwen2.lora_logits_a"] = forward(qwen_cfg, qwen_w, ids_a, qwen_lora)
    ref["llama.greedy"] = torch.tensor(greedy(llama_cfg, llama_w, prompt, 10)).float()
    ref["llama.lora_greedy"] = torch.tensor(greedy(llama_cfg, llama_w, prompt, 10, llama_lora)).float()
    ref["qwen2.greedy"] = torch.tensor(greedy(qwen_cfg, qwen_w, prompt, 10)).float()
    write_safetensors(ROOT / "reference.safetensors", ref, {"generator": "scripts/make_runtime_fixtures.py"})
    print("wrote", sorted(p.name for p in ROOT.iterdir()))
    if "--check-hf" in sys.argv:
        check_hf(ids_a, ref)


def check_hf(ids, ref):
    """Cross-check against transformers and peft themselves, where they are installed."""
    import peft
    import transformers
    for name, key in (("tiny_llama", "llama"), ("tiny_qwen2", "qwen2")):
        m = transformers.AutoModelForCausalLM.from_pretrained(ROOT / name, torch_dtype=torch.float32).eval()
        with torch.no_grad():
            d = (m(ids).logits - ref[key + ".logits_a"]).abs().max().item()
        print(f"{name}: max |transformers - reference| = {d:.3g}")
        pm = peft.PeftModel.from_pretrained(m, ROOT / (name + "_lora")).eval()
        with torch.no_grad():
            d = (pm(ids).logits - ref[key + ".lora_logits_a"]).abs().max().item()
        print(f"{name}_lora: max |peft - reference| = {d:.3g}")


if __name__ == "__main__":
    main()
