"""What the widget API routes share: settings, the assistant, the session registry and the rate limiters."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.protocol import AssistantAPI
from assistant.settings import Settings
from ui.api.ratelimit import RateLimiter, parse_networks
from ui.api.sessions import SessionRegistry


@dataclass
class WidgetContext:
    settings: Settings
    assistant: AssistantAPI
    sessions: SessionRegistry | None = None  # None: in memory (one process); workers pass the SQL registry
    ip_limiter: RateLimiter = field(init=False)
    session_limiter: RateLimiter = field(init=False)
    trusted_proxies: tuple = field(init=False)  # networks whose X-Forwarded-For is believed

    def __post_init__(self) -> None:
        w = self.settings.widget
        if self.sessions is None:
            self.sessions = SessionRegistry(w.max_sessions)
        self.ip_limiter = RateLimiter(w.ip_per_second, w.ip_burst)
        self.session_limiter = RateLimiter(w.session_per_second, w.session_burst, max_keys=w.max_sessions)
        self.trusted_proxies = parse_networks(self.settings.trusted_proxies)

    def allowed_origins(self) -> set[str]:
        return {o.rstrip("/") for site in self.settings.sites for o in site.origins}
