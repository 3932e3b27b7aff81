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
    "nav_account": "Akun saya",
    "nav_officials": "Petugas",
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
    "login_again": "Silakan masuk lagi dengan nama pengguna dan kata sandi.",
    "code_title": "Kode verifikasi",
    "code_hint": (
        "Masukkan kode 6 angka dari aplikasi autentikator Anda, atau salah satu kode pemulihan."
    ),
    "code_label": "Kode",
    "code_wrong": "Kode salah atau sudah dipakai.",
    # Own account
    "account_title": "Akun saya",
    "totp_title": "Verifikasi dua langkah",
    "totp_required": (
        "Admin wajib memakai verifikasi dua langkah. Atur dulu sebelum membuka halaman lain."
    ),
    "totp_on": "Verifikasi dua langkah aktif.",
    "totp_off": "Verifikasi dua langkah belum aktif.",
    "totp_start": "Atur aplikasi autentikator",
    "totp_replace": "Ganti aplikasi autentikator",
    "totp_add_key": (
        "Tambahkan kunci ini di aplikasi autentikator (misalnya Google Authenticator atau "
        "Aegis), lalu masukkan kode 6 angka yang muncul."
    ),
    "totp_confirm": "Aktifkan",
    "totp_code_wrong": "Kode tidak cocok. Periksa jam ponsel Anda lalu coba lagi.",
    "totp_enabled": "Verifikasi dua langkah sudah aktif.",
    "recovery_note": (
        "Simpan kode pemulihan ini di tempat aman. Setiap kode hanya bisa dipakai sekali, "
        "dan kode ini tidak akan ditampilkan lagi."
    ),
    "password_title": "Ganti kata sandi",
    "password_rules": (
        "Minimal {min} karakter. Kata sandi yang umum atau mudah ditebak tidak diterima."
    ),
    "password_current": "Kata sandi sekarang",
    "password_new": "Kata sandi baru",
    "password_repeat": "Ulangi kata sandi baru",
    "password_save": "Simpan kata sandi",
    "password_changed": "Kata sandi sudah diganti.",
    "password_mismatch": "Kedua kata sandi baru tidak sama.",
    "password_current_wrong": "Kata sandi sekarang salah.",
    "password_too_short": "Kata sandi baru terlalu pendek: minimal {min} karakter.",
    "password_too_long": "Kata sandi baru terlalu panjang.",
    "password_common": (
        "Kata sandi ini terlalu umum dan mudah ditebak. Pilih yang lain, misalnya beberapa "
        "kata acak."
    ),
    # Reasons for sensitive actions (kept in the audit log)
    "reason_label": "Alasan",
    "nik_reason_label": "Alasan melihat NIK",
    "export_reason_label": "Alasan ekspor",
    "erase_reason_label": "Alasan penghapusan",
    "reason_missing": "Tuliskan alasannya (minimal 5 karakter); alasan dicatat di log audit.",
    "broadcast_reason_hint": "Wajib untuk mengirim: mengapa siaran ini dikirim.",
    "nik_reason_hint": "Mengapa NIK lengkap perlu dilihat (dicatat di log audit).",
    "export_reason_hint": "Mengapa data dengan NIK lengkap perlu diekspor (dicatat di log audit).",
    "erase_reason_hint": "Dasar penghapusan (dicatat di log audit).",
    # Officials (admins)
    "officials_title": "Petugas",
    "officials_note": (
        "Menonaktifkan petugas langsung mengakhiri sesi dan mencabut token API-nya. "
        "Semua tindakan tercatat di log audit."
    ),
    "officials_name": "Nama",
    "officials_role": "Peran",
    "officials_actions": "Tindakan",
    "officials_inactive": "Nonaktif",
    "officials_save": "Simpan",
    "officials_reset": "Atur ulang kata sandi",
    "officials_revoke": "Cabut token API",
    "officials_deactivate": "Nonaktifkan",
    "officials_confirm": "{action} untuk {username}?",
    "officials_not_yourself": "Anda tidak bisa menonaktifkan akun Anda sendiri.",
    "officials_deactivated": "Petugas dinonaktifkan; sesi dan tokennya tidak berlaku lagi.",
    "officials_password_reset": (
        "Kata sandi baru (hanya ditampilkan sekali, berikan secara langsung): {password}"
    ),
    "officials_tokens_revoked": "{count} token API dicabut.",
    "officials_changed": "Perubahan disimpan.",
    "password_has_username": "Kata sandi tidak boleh memuat nama pengguna Anda.",
    # Errors
    "error_title": "Tidak bisa dilanjutkan",
    "csrf_refused": (
        "Permintaan ditolak karena token keamanan formulir tidak cocok. "
        "Muat ulang halaman lalu coba lagi."
    ),
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
    # Questions inbox
    "nav_questions": "Pertanyaan",
    "nav_questions_open": "{count} pertanyaan terbuka",
    "inbox_title": "Pertanyaan pekerja",
    "inbox_note": (
        "Jawaban dikirim ke pekerja lewat Telegram dan tercatat di log audit. "
        "Setiap pertanyaan hanya dijawab sekali."
    ),
    "inbox_tab_open": "Terbuka",
    "inbox_tab_answered": "Sudah dijawab",
    "inbox_tabs": "Jenis pertanyaan",
    "inbox_asked": "Ditanyakan",
    "inbox_language": "Bahasa",
    "inbox_topic": "Topik",
    "inbox_answer": "Jawaban",
    "inbox_answer_for": "Jawaban untuk {ref}",
    "inbox_send": "Kirim jawaban",
    "inbox_answered_by": "Dijawab {at} oleh {by}",
    "inbox_empty_open": "Tidak ada pertanyaan yang menunggu jawaban.",
    "inbox_empty_answered": "Belum ada pertanyaan yang dijawab.",
    "inbox_answered": "Jawaban untuk {ref} dikirim ke pekerja.",
    "inbox_already_answered": (
        "Pertanyaan {ref} sudah dijawab sebelumnya; jawaban Anda tidak dikirim."
    ),
    "inbox_answer_invalid": "Tulis jawaban (1–2.000 huruf, tanpa karakter kontrol).",
    "delivery_pending": "Menunggu dikirim",
    "delivery_sent": "Terkirim",
    "delivery_failed": "Gagal terkirim (bot diblokir?)",
    # Broadcasts
    "broadcasts_title": "Siaran",
    "broadcasts_list": "Siaran terakhir",
    "broadcasts_none": "Belum ada siaran.",
    "broadcast_compose": "Tulis siaran",
    "broadcast_text": "Pesan (HTML Telegram, paling banyak 1.024 huruf)",
    "broadcast_photo": "Tautan foto (opsional)",
    "broadcast_button_text": "Teks tombol tautan (opsional)",
    "broadcast_button_url": "Tautan tombol (opsional)",
    "broadcast_segment": "Penerima",
    "broadcast_segment_note": (
        "Kosongkan isian agar tidak membatasi; pilihan dalam satu isian digabung (atau)."
    ),
    "broadcast_program": "Program",
    "broadcast_occupation": "Pekerjaan",
    "broadcast_region": "Kode wilayah Kemendagri (mis. 36.04; pisahkan dengan koma)",
    "broadcast_region_forced": "Wilayah (ditetapkan: wilayah Anda)",
    "broadcast_status": "Status pendaftaran",
    "broadcast_language": "Bahasa",
    "broadcast_unregistered": "Belum mendaftar",
    "broadcast_scheduled": "Jadwal kirim (WIB, opsional; kosong = sekarang)",
    "broadcast_count": "Hitung penerima",
    "broadcast_test": "Kirim percobaan ke saya",
    "broadcast_send": "Kirim siaran",
    "broadcast_test_sent": (
        "Pesan percobaan terkirim ke Telegram Anda. Periksa teks, foto dan tombolnya sebelum "
        "mengirim siaran."
    ),
    "broadcast_test_not_linked": (
        "Telegram Anda belum terhubung dengan akun konsol ini. Hubungkan dulu dengan kode di "
        "bawah, lalu tekan “Kirim percobaan ke saya” lagi."
    ),
    "broadcast_test_blocked": (
        "Pesan percobaan tidak sampai: Telegram Anda memblokir bot atau obrolannya sudah "
        "dihapus. Hubungkan Telegram Anda lagi."
    ),
    "broadcast_test_failed": "Pesan percobaan tidak terkirim: {why}",
    "broadcast_test_off": "Telegram belum aktif di server ini; pesan percobaan tidak bisa dikirim.",
    "telegram_title": "Telegram Anda",
    "telegram_linked": "Terhubung sejak {since}. Pesan percobaan siaran dikirim ke sana.",
    "telegram_not_linked": (
        "Belum terhubung. Hubungkan Telegram Anda untuk menerima pesan percobaan siaran."
    ),
    "telegram_make_code": "Buat kode penghubung",
    "telegram_new_code": "Buat kode baru",
    "telegram_open_link": "Buka tautan ini di HP yang memakai Telegram Anda, lalu tekan Mulai:",
    "telegram_send_command": "Atau kirim pesan ini ke bot Lindungi dari Telegram Anda:",
    "telegram_send_command_only": "Kirim pesan ini ke bot Lindungi dari Telegram Anda:",
    "telegram_code_note": (
        "Kode berlaku sampai {until} dan hanya bisa dipakai sekali. Setelah bot menjawab, "
        "muat ulang halaman ini."
    ),
    "telegram_unlink": "Putuskan",
    "telegram_unlink_confirm": (
        "Putuskan Telegram dari akun ini? Pesan percobaan tidak dikirim lagi ke sana."
    ),
    "telegram_unlinked": "Telegram diputuskan dari akun Anda.",
    "broadcast_confirm": "Kirim siaran ini ke semua penerima yang cocok?",
    "broadcast_counted": "Siaran ini akan diterima {count} pekerja saat ini.",
    "broadcast_created": "Siaran #{id} dijadwalkan untuk {count} penerima.",
    "broadcast_invalid": "Siaran tidak valid: {why}",
    "broadcast_bad_time": "Jadwal kirim tidak valid.",
    "broadcast_out_of_region": "Wilayah penerima di luar wilayah Anda.",
    "broadcast_no_region": "Akun Anda tidak memiliki wilayah; hubungi admin.",
    "broadcast_cancel": "Batalkan",
    "broadcast_cancel_confirm": "Batalkan siaran #{id}? Pesan yang sudah terkirim tetap terkirim.",
    "broadcast_cancelled": "Siaran #{id} dibatalkan.",
    "broadcast_not_active": "Siaran #{id} sudah selesai; tidak ada yang dibatalkan.",
    "broadcast_col_id": "No.",
    "broadcast_col_message": "Pesan",
    "broadcast_col_segment": "Penerima",
    "broadcast_col_status": "Status",
    "broadcast_col_progress": "Kemajuan",
    "broadcast_col_time": "Waktu",
    "broadcast_progress": (
        "{sent} terkirim, {failed} gagal, {blocked} diblokir, {remaining} tersisa dari {total}"
    ),
    "broadcast_eta": "perkiraan selesai {eta}",
    "broadcast_everyone": "Semua yang memulai bot",
    "broadcast_status_draft": "Draf",
    "broadcast_status_scheduled": "Terjadwal",
    "broadcast_status_running": "Sedang dikirim",
    "broadcast_status_done": "Selesai",
    "broadcast_status_cancelled": "Dibatalkan",
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
    "official.telegram_linked": "Telegram dihubungkan",
    "official.telegram_unlinked": "Telegram diputuskan",
    "official.deactivated": "Petugas dinonaktifkan",
    "official.tokens_revoked": "Token API dicabut",
    "official.token_created": "Token API dibuat",
    "official.password_reset": "Kata sandi diatur ulang",
    "official.password_changed": "Kata sandi diganti",
    "official.changed": "Peran atau wilayah diubah",
    "official.totp_enabled": "Verifikasi dua langkah diaktifkan",
    "official.totp_removed": "Verifikasi dua langkah dihapus",
    "official.recovery_code_used": "Kode pemulihan dipakai",
    "broadcast.created": "Siaran dibuat",
    "data_request.reason": "Alasan penghapusan data",
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
    "broadcast": "Siaran",
}

MONTHS: Final[tuple[str, ...]] = (
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
)  # fmt: skip
