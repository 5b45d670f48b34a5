#!/usr/bin/env python
import os
import sys

# Commands that read code only and sign nothing: they run without any configuration.
CODE_ONLY_COMMANDS = {"makemigrations", "showmigrations", "makemessages", "compilemessages"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clienteling.settings")
    if len(sys.argv) > 1 and sys.argv[1] in CODE_ONLY_COMMANDS:
        os.environ.setdefault("CODE_ONLY", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
