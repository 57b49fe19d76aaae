#!/usr/bin/env python
"""Django's command-line utility; the same as `python -m traguardo`."""

from traguardo.__main__ import main

if __name__ == "__main__":
    main()
