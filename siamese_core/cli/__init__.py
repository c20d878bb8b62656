"""The command line (`python -m siamese_core …`); `main(argv)` runs it in-process."""
from .main import build_parser, main
from .options import config_from_args as train_config_from_args  # the public name: options → TrainConfig

__all__ = ["build_parser", "main", "train_config_from_args"]
