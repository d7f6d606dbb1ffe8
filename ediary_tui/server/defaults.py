"""What a new school starts with: the standard control forms and their weights.

Weights are school settings (DOMAIN.md); these are the usual Russian ones.
"""

from __future__ import annotations

from ediary_tui.domain.models import Category

# (code, name, weight, category)
STANDARD_CONTROL_FORMS: tuple[tuple[str, str, int, Category], ...] = (
    ("test", "Контрольная работа", 3, Category.TEST),
    ("independent", "Самостоятельная работа", 2, Category.INDEPENDENT),
    ("classwork", "Работа на уроке", 1, Category.CLASSWORK),
    ("oral", "Устный ответ", 1, Category.CLASSWORK),
    ("board", "Ответ у доски", 1, Category.CLASSWORK),
    ("homework", "Домашняя работа", 1, Category.HOMEWORK),
)
