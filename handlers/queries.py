"""Perform the engine's effects against the database: NIK look-up, submission, status, data."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from conversations.effects import (
    AskOfficial,
    Correct,
    Corrected,
    DataRecord,
    Effect,
    Erase,
    ErasureRequested,
    FlowReceipt,
    FlowSubmit,
    LinkOfficial,
    MyData,
    MyStatus,
    NikStatus,
    OfficialLinked,
    QuestionSent,
    Quotas,
    QuotasLeft,
    RegistrationStatus,
    Submit,
    Submitted,
)
from domain.programs import ProgramSet
from handlers.effects import perform, performs
from handlers.updates import Envelope
from storage.errors import DuplicateNikError, NotFoundError
from storage.infra.db import Database
from storage.repos.data_rights import DataRights
from storage.repos.flow_submissions import FlowSubmissions
from storage.repos.official_telegram import OfficialTelegram
from storage.repos.questions import Questions
from storage.repos.quotas import used_places
from storage.repos.registrations import NewRegistration, Registrations, RegistrationSummary


class RegistrationQueries:
    """Performs the engine's effects (`handlers.effects`) against the registrations table."""

    def __init__(
        self,
        registrations: Registrations,
        programs: ProgramSet,
        data_rights: DataRights,
        questions: Questions,
        db: Database,
        flow_submissions: FlowSubmissions | None = None,
    ) -> None:
        self.db = db
        self.flow_submissions = flow_submissions
        self.registrations = registrations
        self.programs = programs
        self.data_rights = data_rights
        self.questions = questions

    def program_name(self, program_id: str) -> str | None:
        program = self.programs.get(program_id)
        return program.name if program else None

    async def __call__(self, effect: Effect, env: Envelope) -> Any:
        return await perform(self, effect, env)

    @performs(NikStatus)
    async def nik_status(self, effect: NikStatus, env: Envelope) -> RegistrationStatus | None:
        found = await self.registrations.find_by_nik(effect.nik)
        return self._describe(found, env) if found else None

    @performs(MyStatus)
    async def my_status(self, effect: MyStatus, env: Envelope) -> RegistrationStatus | None:
        if env.user_id is None:
            return None
        found = await self.registrations.latest_for_telegram_user(env.user_id)
        return self._describe(found) if found else None

    @performs(Submit)
    async def submit(self, a: Submit, env: Envelope) -> Submitted:
        assert env.user_id is not None and env.chat_id is not None
        consent = a.consent
        new = NewRegistration(
            submission_key=f"{env.chat_id}:{a.key}",
            full_name=a.full_name,
            nik=a.nik,
            birth_date=date.fromisoformat(a.birth_date),
            gender=a.gender,
            phone=a.phone,
            occupation=a.occupation,
            occupation_other=a.occupation_other,
            region=a.region,
            regency=a.regency,
            monthly_income=int(a.monthly_income),
            heir_name=a.heir_name,
            heir_relation=a.heir_relation,
            program=a.program,
            telegram_user_id=env.user_id,
            telegram_chat_id=env.chat_id,
            language=a.language or "id",
            consent_purpose=consent["purpose"],
            consent_version=consent["version"],
            consent_text_sha256=consent["sha256"],
            consent_at=datetime.fromisoformat(consent["at"])
            if consent.get("at")
            else datetime.now(UTC),
        )
        try:
            summary, created = await self.registrations.submit(new)
        except DuplicateNikError as exc:
            return self._submitted(exc.existing, "duplicate_nik", env)
        return self._submitted(summary, "created" if created else "existing")

    @performs(FlowSubmit)
    async def submit_flow(self, effect: FlowSubmit, env: Envelope) -> FlowReceipt:
        """Store a flow pack's answers; the same conversation again gets the same reference."""
        assert env.user_id is not None and env.chat_id is not None
        if self.flow_submissions is None:
            raise ValueError("flow submissions are not configured")
        stored = await self.flow_submissions.submit(
            flow=effect.flow,
            submission_key=f"{env.chat_id}:{effect.key}",
            telegram_user_id=env.user_id,
            telegram_chat_id=env.chat_id,
            answers=dict(effect.answers),
        )
        return FlowReceipt(
            reference=stored.reference,
            outcome="created" if stored.created else "existing",
            created_at=stored.created_at.isoformat(),
        )

    @performs(Quotas)
    async def quotas_left(self, effect: Quotas, env: Envelope) -> QuotasLeft:
        """Places left per `program:quota` for the programs serving this regency today."""
        if not isinstance(effect.regency, str):
            return QuotasLeft()
        serving = self.programs.for_region(effect.regency, date.today())
        if not serving:
            return QuotasLeft()
        used = await used_places(self.db)
        return QuotasLeft(
            {
                f"{p.id}:{q.id}": max(0, q.limit - used.get((p.id, q.id), 0))
                for p in serving
                for q in p.quotas
            }
        )

    @performs(LinkOfficial, needs_chat=True)
    async def link_official(self, effect: LinkOfficial, env: Envelope) -> OfficialLinked | None:
        assert env.chat_id is not None
        linked = await OfficialTelegram(self.db).link(effect.code, env.chat_id)
        return OfficialLinked(linked.name) if linked else None

    @performs(AskOfficial, needs_chat=True)
    async def ask_official(self, effect: AskOfficial, env: Envelope) -> QuestionSent:
        assert env.user_id is not None and env.chat_id is not None
        asked = await self.questions.ask(
            env.user_id,
            env.chat_id,
            effect.language or "id",
            effect.text,
            effect.topic or None,
            # Telegram redelivers an update it saw no answer to: store its question once.
            key=f"{env.chat_id}:{env.update_id}",
        )
        return QuestionSent(asked.reference)

    @performs(MyData, needs_chat=True)
    async def my_data(self, effect: MyData, env: Envelope) -> DataRecord | None:
        assert env.user_id is not None
        found = await self.data_rights.my_data(env.user_id)
        return DataRecord.from_dict(found) if found is not None else None

    @performs(Correct, needs_chat=True)
    async def correct(self, effect: Correct, env: Envelope) -> Corrected:
        assert env.user_id is not None
        reference, back = await self.data_rights.correct(env.user_id, dict(effect.changes))
        return Corrected(reference, back_to_review=back)

    @performs(Erase, needs_chat=True)
    async def erase(self, effect: Erase, env: Envelope) -> ErasureRequested | None:
        assert env.user_id is not None
        try:
            request = await self.data_rights.request_erasure(env.user_id)
        except NotFoundError:
            return None
        return ErasureRequested(request.due_at.isoformat())

    def _submitted(
        self, summary: RegistrationSummary, outcome: str, asking: Envelope | None = None
    ) -> Submitted:
        return Submitted(**asdict(self._describe(summary, asking)), outcome=outcome)

    def _describe(
        self, summary: RegistrationSummary, asking: Envelope | None = None
    ) -> RegistrationStatus:
        """What the worker is told; of a registration another chat made, only that it exists."""
        if asking is not None and summary.telegram_user_id != asking.user_id:
            return RegistrationStatus(own=False)
        return RegistrationStatus(
            reference=summary.reference,
            status=summary.status,
            program=summary.program,
            program_name=self.program_name(summary.program) if summary.program else None,
            kpj=summary.kpj,
            reason=summary.reason,
            created_at=summary.created_at.isoformat(),
        )
