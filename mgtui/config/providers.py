"""Static list of LiteLLM provider prefixes, so configs can be checked without importing LiteLLM.

Generated from `litellm.provider_list` of litellm 1.110.2 (the pinned version). A prefix
missing here is only a warning: LiteLLM may have gained providers since.
"""

from __future__ import annotations

from mgtui.config.suggest import closest, did_you_mean

# Ours: the embedded model (mgtui.providers.local_model).
MGTUI_PROVIDERS = frozenset({"local"})

LITELLM_PROVIDERS = frozenset(
    """
    a2a a2a_agent abliteration ai21 ai21_chat aiand aiml aiohttp_openai amazon_nova anthropic
    anthropic_text apertis assemblyai auto_router aws_polly aws_textract azure azure_ai
    azure_speech azure_text baseten bedrock bedrock_mantle bespoke bigmodel black_forest_labs
    bytez cerebras charity_engine chatgpt chutes clarifai clf_ai_gateway cloudflare codestral
    cognition cohere cohere_chat cometapi compactifai coralbricks cortecs cursor custom
    custom_openai darkbloom dashscope databricks databricks_agent datarobot deepgram deepinfra
    deepseek docker_model_runner dotprompt edenai elevenlabs empiriolabs empower eu_jev fal_ai
    featherless_ai fireworks_ai friendliai galadriel gdc gemini gigachat github github_copilot
    gradient_ai groq helicone heroku hosted_vllm hostinger_router huggingface humanloop
    hyperbolic inception inferenceapis infinity jina_ai kyma lambda_ai langflow langfuse
    langgraph laya lemonade libertai litellm_agent litellm_proxy llamafile lm_studio manus
    maritalk meta meta_llama microsoft_365_copilot milvus minimax mistral modelscope mongodb
    moonshot morph nace nadir nano-gpt nebius neosantara nlp_cloud novita nscale nvidia_nim
    nvidia_riva oci ollama ollama_chat oobabooga openai openai_like opencode_go openinfer
    openrouter opensearch ovhcloud parallel_ai parasail perplexity petals pg_vector pinstripes
    poe predibase prism publicai qwen_ai_platform qwencloud ragflow recraft reducto refuseless
    reka replicate runwayml s3_vectors sagemaker sagemaker_chat sagemaker_nova sail sambanova
    sap scaledown scaleway scx-ai snowflake soniox stability strands_decider streamlake
    synthetic tencent tensormesh text-completion-codestral text-completion-inception text-
    completion-openai together_ai topaz transcribe triton typesafe v0 valkey vercel_ai_gateway
    vertex_ai vertex_ai_beta vllm volcengine voyage wally wandb watsonx watsonx_text xai
    xiaomi_mimo xinference zai zerogpu
    """.split()
)


def is_known_provider(prefix: str) -> bool:
    return prefix in LITELLM_PROVIDERS or prefix in MGTUI_PROVIDERS


def all_providers() -> frozenset[str]:
    return LITELLM_PROVIDERS | MGTUI_PROVIDERS


def model_warning(model: str) -> str | None:
    """A warning for a model string whose provider LiteLLM will not recognise, else None."""
    prefix, sep, _ = model.partition("/")
    if not sep:
        return f"model '{model}' has no provider prefix; LiteLLM will guess one (write e.g. openai/{model})"
    if is_known_provider(prefix):
        return None
    hint = did_you_mean(closest(prefix, all_providers()))
    return f"unknown LiteLLM provider '{prefix}' in model '{model}'{hint}"
