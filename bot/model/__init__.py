"""The OpenAI-compatible model behind the writer and the reply classifier."""
