"""The local tagger: topic and sentiment from a small offline model. No Qt."""
