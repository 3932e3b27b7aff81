"""Answer the engine's queries from the database: NIK look-up, submission, a worker's status."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from conversations.messages import Query
from domain.programs import ProgramSet
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
    """Runs `Query` objects against the registrations table."""

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

    async def __call__(self, query: Query, env: Envelope) -> dict[str, Any] | None:
        if query.kind == "nik_status":
            found = await self.registrations.find_by_nik(str(query.params["nik"]))
            return self._describe(found) if found else None
        if query.kind == "my_status":
            if env.user_id is None:
                return None
            found = await self.registrations.latest_for_telegram_user(env.user_id)
            return self._describe(found) if found else None
        if query.kind == "submit":
            return await self._submit(query.params, env)
        if query.kind == "flow_submit":
            return await self._submit_flow(query.params, env)
        if query.kind == "quotas":
            return await self._quotas_left(query.params.get("regency"))
        if env.user_id is None or env.chat_id is None:
            return None
        if query.kind == "link_official":
            linked = await OfficialTelegram(self.db).link(str(query.params["code"]), env.chat_id)
            return {"name": linked.name} if linked else None
        if query.kind == "ask_official":
            topic = query.params.get("topic")
            asked = await self.questions.ask(
                env.user_id,
                env.chat_id,
                str(query.params.get("language") or "id"),
                str(query.params["text"]),
                str(topic) if topic else None,
                # Telegram redelivers an update it saw no answer to: store its question once.
                key=f"{env.chat_id}:{env.update_id}",
            )
            return {"reference": asked.reference}
        if query.kind == "my_data":
            return await self.data_rights.my_data(env.user_id)
        if query.kind == "correct":
            reference, back = await self.data_rights.correct(env.user_id, dict(query.params))
            return {"reference": reference, "back_to_review": back}
        if query.kind == "erase":
            try:
                request = await self.data_rights.request_erasure(env.user_id)
            except NotFoundError:
                return None
            return {"due_at": request.due_at.isoformat()}
        raise ValueError(f"unknown query {query.kind}")

    async def _submit(self, a: dict[str, Any], env: Envelope) -> dict[str, Any]:
        assert env.user_id is not None and env.chat_id is not None
        consent = a["consent"]
        new = NewRegistration(
            submission_key=f"{env.chat_id}:{a['key']}",
            full_name=a["full_name"],
            nik=a["nik"],
            birth_date=date.fromisoformat(a["birth_date"]),
            gender=a["gender"],
            phone=a["phone"],
            occupation=a["occupation"],
            occupation_other=a.get("occupation_other"),
            region=a["region"],
            regency=a["regency"],
            monthly_income=int(a["monthly_income"]),
            heir_name=a.get("heir_name"),
            heir_relation=a.get("heir_relation"),
            program=a.get("program"),
            telegram_user_id=env.user_id,
            telegram_chat_id=env.chat_id,
            language=a.get("language", "id"),
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
            return {"outcome": "duplicate_nik", **self._describe(exc.existing)}
        return {"outcome": "created" if created else "existing", **self._describe(summary)}

    async def _submit_flow(self, params: dict[str, Any], env: Envelope) -> dict[str, Any]:
        """Store a flow pack's answers; the same conversation again gets the same reference."""
        assert env.user_id is not None and env.chat_id is not None
        if self.flow_submissions is None:
            raise ValueError("flow submissions are not configured")
        answers = params["answers"]
        assert isinstance(answers, dict)
        stored = await self.flow_submissions.submit(
            flow=str(params["flow"]),
            submission_key=f"{env.chat_id}:{params['key']}",
            telegram_user_id=env.user_id,
            telegram_chat_id=env.chat_id,
            answers=answers,
        )
        return {
            "reference": stored.reference,
            "outcome": "created" if stored.created else "existing",
            "created_at": stored.created_at.isoformat(),
        }

    async def _quotas_left(self, regency: object) -> dict[str, int]:
        """Places left per `program:quota` for the programs serving this regency today."""
        if not isinstance(regency, str):
            return {}
        serving = self.programs.for_region(regency, date.today())
        if not serving:
            return {}
        used = await used_places(self.db)
        return {
            f"{p.id}:{q.id}": max(0, q.limit - used.get((p.id, q.id), 0))
            for p in serving
            for q in p.quotas
        }

    def _describe(self, summary: RegistrationSummary) -> dict[str, Any]:
        return {
            "reference": summary.reference,
            "status": summary.status,
            "program": summary.program,
            "program_name": self.program_name(summary.program) if summary.program else None,
            "kpj": summary.kpj,
            "reason": summary.reason,
            "created_at": summary.created_at.isoformat(),
        }
