"""The command line (`python -m siamese_core …`); `main(argv)` runs it in-process."""
from .main import build_parser, main
from .train_cmd import train_config_from_args

__all__ = ["build_parser", "main", "train_config_from_args"]
