"""Every Indonesian string of the officials' web console, in one place.

Templates read them as `t.<key>`; routes use `TEXT[...]` for messages and labels.
"""

from __future__ import annotations

from typing import Final

TEXT: Final[dict[str, str]] = {
    # Frame and navigation
    "app_name": "Lindungi",
    "app_tagline": "Konsol petugas",
    "nav_queue": "Antrean",
    "nav_programs": "Program & kuota",
    "nav_stats": "Statistik",
    "nav_data_requests": "Permintaan data",
    "nav_audit": "Log audit",
    "nav_broadcasts": "Siaran",
    "nav_logout": "Keluar",
    "nav_label": "Menu utama",
    "skip_to_content": "Lewati ke isi",
    "signed_in_as": "Masuk sebagai",
    "role_admin": "Admin (semua wilayah)",
    "role_reviewer": "Peninjau",
    # Login
    "login_title": "Masuk ke konsol petugas",
    "username": "Nama pengguna",
    "password": "Kata sandi",
    "login_button": "Masuk",
    "login_wrong": "Nama pengguna atau kata sandi salah.",
    "login_locked": (
        "Akun ini dikunci sementara karena terlalu banyak percobaan gagal. "
        "Coba lagi setelah pukul {until}, atau hubungi admin."
    ),
    "login_form_expired": "Formulir masuk sudah kedaluwarsa. Muat ulang halaman lalu coba lagi.",
    "logged_out": "Anda sudah keluar.",
    "session_ended": "Sesi Anda berakhir. Silakan masuk lagi.",
    # Errors
    "error_title": "Tidak bisa dilanjutkan",
    "csrf_refused": (
        "Permintaan ditolak karena token keamanan formulir tidak cocok. "
        "Muat ulang halaman lalu coba lagi."
    ),
    "forbidden_region": "Pendaftaran ini berada di luar wilayah Anda.",
    "admins_only": "Halaman ini hanya untuk admin.",
    "not_found": "Data tidak ditemukan.",
    "invalid_input": "Isian tidak valid. Periksa kembali lalu coba lagi.",
    "back_to_queue": "Kembali ke antrean",
    # Queue
    "queue_title": "Antrean pendaftaran",
    "filters": "Saring",
    "filter_status": "Status",
    "filter_occupation": "Pekerjaan",
    "filter_program": "Program",
    "filter_region": "Wilayah",
    "filter_search": "Cari nama, no. HP, referensi, NIK",
    "filter_apply": "Terapkan",
    "filter_clear_search": "Hapus pencarian",
    "searching_for": "Pencarian aktif",
    "any": "Semua",
    "no_program": "Tanpa program",
    "showing": "{first}–{last} dari {total}",
    "empty_queue": "Tidak ada pendaftaran yang cocok.",
    "col_select": "Pilih",
    "col_reference": "No. referensi",
    "col_name": "Nama",
    "col_nik": "NIK",
    "col_occupation": "Pekerjaan",
    "col_region": "Wilayah",
    "col_program": "Program",
    "col_status": "Status",
    "col_registered": "Terdaftar",
    "select_all": "Pilih semua di halaman ini",
    "bulk_approve": "Setujui yang dipilih",
    "bulk_none": "Belum ada pendaftaran yang dipilih.",
    "bulk_done": "{count} disetujui: {refs}.",
    "bulk_failed": "Gagal {ref}: {why}",
    "and_more_failed": "…dan {count} lainnya gagal.",
    "keys_help": (
        "Papan ketik: j/k pindah baris, Enter buka, a setujui, r tolak, x pilih, / cari."
    ),
    "confirm_approve": "Setujui pendaftaran {ref}?",
    "confirm_bulk": "Setujui {n} pendaftaran yang dipilih? Masing-masing diputuskan sendiri.",
    "prev_page": "Sebelumnya",
    "next_page": "Berikutnya",
    "pagination": "Halaman",
    # Statuses and labels
    "status_pending": "Menunggu",
    "status_approved": "Disetujui",
    "status_rejected": "Ditolak",
    "status_active": "Aktif",
    "gender_male": "Laki-laki",
    "gender_female": "Perempuan",
    # Detail
    "detail_title": "Pendaftaran {ref}",
    "field_reference": "No. referensi",
    "field_status": "Status",
    "field_name": "Nama lengkap",
    "field_nik": "NIK",
    "field_birth_date": "Tanggal lahir",
    "field_gender": "Jenis kelamin",
    "field_phone": "No. HP",
    "field_occupation": "Pekerjaan",
    "field_region": "Tempat tinggal",
    "field_income": "Penghasilan per bulan",
    "field_heir": "Ahli waris",
    "field_program": "Program",
    "field_quota": "Sisa kuota",
    "field_language": "Bahasa",
    "field_registered_by": "Didaftarkan oleh",
    "field_created": "Terdaftar",
    "field_decided": "Diputuskan",
    "field_reason": "Alasan penolakan",
    "field_kpj": "No. KPJ",
    "quota_left": "{left} dari {limit} tempat tersisa ({quota})",
    "quota_none": "Tidak memakai kuota program",
    "self_paying": "Tanpa program (mandiri)",
    "show_nik": "Tampilkan NIK",
    "show_nik_note": "Setiap kali NIK lengkap ditampilkan, tercatat di log audit.",
    "nik_shown": "NIK lengkap ditampilkan (tercatat di log audit).",
    "approve": "Setujui",
    "reject": "Tolak",
    "reject_reason": "Alasan penolakan (dikirim ke pekerja)",
    "reject_reason_other": "Atau tulis alasan sendiri",
    "reject_choose": "Pilih alasan…",
    "activate": "Aktifkan",
    "activate_kpj": "No. KPJ dari BPJS Ketenagakerjaan",
    "next_pending": "Berikutnya yang menunggu",
    "no_next_pending": "Tidak ada lagi yang menunggu.",
    "history": "Riwayat",
    "history_empty": "Belum ada riwayat.",
    "decided_approved": "Pendaftaran {ref} disetujui. Pekerja diberi tahu lewat Telegram.",
    "decided_rejected": "Pendaftaran {ref} ditolak. Alasannya dikirim ke pekerja.",
    "decided_active": "KPJ {ref} dicatat; pendaftaran aktif. Pekerja diberi tahu.",
    "conflict": "Pendaftaran ini sudah berstatus {status}; keputusan tidak diubah.",
    "quota_full": "Kuota {quota} program {program} penuh ({limit} tempat terpakai).",
    "reason_required": "Tulis atau pilih alasan penolakan (3–500 huruf).",
    "kpj_invalid": "No. KPJ tidak valid (3–32 huruf/angka).",
    "out_of_scope": "di luar wilayah Anda atau tidak ditemukan",
    # Programs and statistics
    "programs_title": "Program dan kuota",
    "program_period": "Masa berlaku",
    "program_regions": "Wilayah",
    "program_operator": "Pelaksana",
    "program_basis": "Dasar hukum",
    "program_file_note": "Catatan berkas program",
    "quota_used": "{used} dari {limit} terpakai",
    "estimate": "perkiraan",
    "no_programs": "Tidak ada program di wilayah Anda.",
    "stats_title": "Statistik",
    "stats_total": "Total pendaftaran",
    "stats_per_day": "Pendaftaran per hari (30 hari terakhir, WIB)",
    "stats_by_occupation": "Menurut pekerjaan",
    "stats_by_region": "Menurut kabupaten/kota",
    "stats_by_status": "Menurut status",
    "stats_quotas": "Pemakaian kuota",
    "stats_day_max": "Tertinggi {count} pendaftaran sehari",
    "quota_combined": "{name} (gabungan)",
    # Audit
    "audit_title": "Log audit",
    "audit_note": "Log ini hanya bisa dibaca; tidak ada yang dapat mengubah atau menghapusnya.",
    "audit_action": "Tindakan",
    "audit_at": "Waktu",
    "audit_actor": "Pelaku",
    "audit_subject": "Subjek",
    "audit_detail": "Rincian",
    "audit_all_actions": "Semua tindakan",
    # Data requests
    "data_title": "Permintaan penghapusan data",
    "data_note": (
        "Pekerja yang menarik persetujuan harus dihapus datanya dalam 3×24 jam (UU 27/2022). "
        "Hitungan anonim dan log audit tetap disimpan."
    ),
    "data_requested": "Diminta",
    "data_due": "Batas waktu",
    "data_overdue": "Terlambat",
    "data_hours_left": "{hours} jam lagi",
    "data_erase": "Hapus data pribadi",
    "data_confirm": "Hapus data pribadi {ref}? Tindakan ini tidak bisa dibatalkan.",
    "data_erased": "Data pribadi {ref} sudah dihapus.",
    "data_already_done": "Permintaan ini sudah diselesaikan.",
    "data_none": "Tidak ada permintaan yang terbuka.",
    # Export
    "export": "Ekspor",
    "export_csv": "Unduh CSV",
    "export_xlsx": "Unduh XLSX",
    "export_note": "Ekspor berisi NIK lengkap dan tercatat di log audit.",
    "export_status": "Status yang diekspor",
    # Broadcasts
    "broadcasts_title": "Siaran",
    "broadcasts_placeholder": (
        "Pengiriman siaran ke pekerja sedang disiapkan dan akan tersedia di halaman ini."
    ),
}

REJECT_REASONS: Final[dict[str, str]] = {
    "nik": "NIK tidak cocok dengan KTP",
    "domicile": "Bukan warga daerah program",
    "occupation": "Pekerjaan tidak termasuk program",
    "incomplete": "Data tidak lengkap",
    "duplicate": "Sudah terdaftar sebagai peserta BPJS Ketenagakerjaan",
}
"""Common reasons officials choose from; the chosen text is sent to the worker."""

ACTIONS: Final[dict[str, str]] = {
    "registration.submitted": "Pendaftaran dikirim",
    "registration.approved": "Disetujui",
    "registration.rejected": "Ditolak",
    "registration.active": "Diaktifkan (KPJ dicatat)",
    "registration.corrected": "Dikoreksi oleh pekerja",
    "registration.erased": "Data pribadi dihapus",
    "registrations.exported": "Ekspor data",
    "consent.withdrawn": "Persetujuan ditarik",
    "nik.viewed": "NIK lengkap dilihat",
    "official.created": "Petugas dibuat",
    "official.locked": "Akun dikunci",
    "official.login": "Masuk",
    "official.login_failed": "Gagal masuk",
    "official.logout": "Keluar",
}
"""Readable names of audit actions."""

ACTORS: Final[dict[str, str]] = {
    "worker": "Pekerja (Telegram)",
    "anonymous": "Tidak dikenal",
    "system": "Sistem",
    "cli": "Perintah lindungi",
}
"""Who did it, for actors that are not officials."""

SUBJECTS: Final[dict[str, str]] = {
    "registration": "Pendaftaran",
    "registrations": "Pendaftaran",
    "official": "Petugas",
    "data_request": "Permintaan data",
}

MONTHS: Final[tuple[str, ...]] = (
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
)  # fmt: skip
