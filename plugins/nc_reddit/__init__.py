"""Reddit: a subreddit's newest posts and, optionally, its newest comments (Atom feeds)."""

from nc_reddit.source import RedditSource

__all__ = ["RedditSource"]
