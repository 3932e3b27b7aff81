"""Build every service the server needs from settings, and close them again."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from bot.broadcasting import BroadcastPreviews, build_broadcast_jobs, rate_limits
from bot.metrics import Metrics
from bot.settings import Settings
from bot.telegram import TelegramApi
from conversations.engine import Engine, load_pack
from conversations.packs import FlowPack
from conversations.shipped import build_engine
from domain.i18n import Catalog
from domain.programs import ProgramSet, load_programs
from domain.regions import RegionDirectory
from handlers.delivery.broadcasts import BroadcastJobs
from handlers.notifications import NotificationSender
from handlers.processor import BotApi, UpdateProcessor
from handlers.queries import RegistrationQueries
from handlers.question_replies import QuestionReplySender
from storage.infra.crypto import Cipher
from storage.infra.db import Database
from storage.infra.migrate import upgrade
from storage.infra.ratelimit import SendLimiter, make_send_limiter
from storage.infra.state import StateStore, make_state_store
from storage.repos.chats import DirectoryWriter, WorkerChats
from storage.repos.data_rights import DataRights
from storage.repos.flow_submissions import FlowSubmissions
from storage.repos.notifications import Notifications
from storage.repos.officials import Officials
from storage.repos.questions import Questions
from storage.repos.regions import count_regions, load_regions
from storage.repos.registrations import Registrations

log = logging.getLogger(__name__)


@dataclass
class Services:
    """The long-lived objects of one process."""

    settings: Settings
    db: Database
    cipher: Cipher
    state: StateStore
    registrations: Registrations
    officials: Officials
    programs: ProgramSet
    regions: RegionDirectory
    engine: Engine
    api: BotApi | None
    processor: UpdateProcessor | None
    metrics: Metrics
    notifier: NotificationSender | None = None
    question_replies: QuestionReplySender | None = None
    limiter: SendLimiter | None = None
    broadcast_jobs: BroadcastJobs | None = None
    preview_sender: BroadcastPreviews | None = None

    async def close(self) -> None:
        if self.processor is not None and isinstance(self.processor.chats, DirectoryWriter):
            await self.processor.chats.close()
        if isinstance(self.api, TelegramApi):
            await self.api.close()
        if self.limiter is not None:
            await self.limiter.close()
        await self.state.close()
        await self.db.dispose()


def load_program_set(folder: Path) -> ProgramSet:
    """Programs from a folder; a wrong file stops start-up with the file, field and problem."""
    return load_programs(folder)


async def load_region_directory(db: Database) -> RegionDirectory:
    """The full imported list when `lindungi regions import` ran, else the shipped subset."""
    if await count_regions(db) > 0:
        return RegionDirectory.from_rows(await load_regions(db))
    return RegionDirectory.load_shipped()


def load_flow_pack(path: Path | None) -> FlowPack | None:
    """The flow pack of `LINDUNGI_FLOW`; a wrong file stops start-up with the field and problem."""
    return load_pack(path) if path is not None else None


async def build_services(settings: Settings, api: BotApi | None = None) -> Services:
    """Connect to the database and state store, load programs and regions, wire the engine."""
    settings.ensure_data_dir()
    url = settings.resolved_database_url()
    if settings.auto_migrate:
        await asyncio.to_thread(upgrade, url)
    programs = load_program_set(settings.programs)
    for warning in programs.warnings:
        log.warning("programs: %s", warning)
    pack = load_flow_pack(settings.flow)
    current, previous = settings.cipher_keys()
    cipher = Cipher(current, previous)
    db = Database.from_url(url)
    state = make_state_store(
        settings.redis_url,
        settings.state_path(),
        cipher,
        prefix=settings.redis_prefix,
        order_window=settings.chat_order_window,
    )
    regions = await load_region_directory(db)
    registrations = Registrations(db, cipher)
    engine = build_engine(regions, programs, pack)
    metrics = Metrics()
    limiter = make_send_limiter(settings.redis_url, settings.redis_prefix, rate_limits(settings))
    if api is None and settings.telegram_enabled:
        assert settings.bot_token is not None
        api = TelegramApi(
            settings.bot_token.get_secret_value(), settings.telegram_api_url, limiter=limiter
        )
    if isinstance(api, TelegramApi):
        await api.start()
    processor = None
    if api is not None:
        queries = RegistrationQueries(
            registrations,
            programs,
            DataRights(db, cipher),
            Questions(db, cipher),
            db,
            FlowSubmissions(db, cipher),
        )
        processor = UpdateProcessor(
            engine,
            state,
            queries,
            api,
            on_call=metrics.api_call,
            chats=DirectoryWriter(WorkerChats(db)),
        )
    return Services(
        settings,
        db,
        cipher,
        state,
        registrations,
        Officials(db),
        programs,
        regions,
        engine,
        api,
        processor,
        metrics,
        notifier=_notifier(db, api, metrics),
        question_replies=_question_replies(db, cipher, api, metrics),
        limiter=limiter,
        broadcast_jobs=build_broadcast_jobs(settings, db, api, limiter),
        preview_sender=None if api is None else BroadcastPreviews(api),
    )


def _notifier(db: Database, api: BotApi | None, metrics: Metrics) -> NotificationSender | None:
    """Delivers officials' decisions to workers; None while Telegram is off."""
    if api is None:
        return None
    return NotificationSender(
        Notifications(db), Catalog.load_shipped(), api, on_call=metrics.api_call
    )


def _question_replies(
    db: Database, cipher: Cipher, api: BotApi | None, metrics: Metrics
) -> QuestionReplySender | None:
    """Delivers officials' answers to workers' questions; None while Telegram is off."""
    if api is None:
        return None
    return QuestionReplySender(
        Questions(db, cipher), Catalog.load_shipped(), api, on_call=metrics.api_call
    )
