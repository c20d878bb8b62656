from .backbones import KochBackbone, VGGBackbone, count_parameters
from .heads import ConcatHead, WeightedL1Head
from .siamese import ModelConfig, SiameseNet

__all__ = ["ConcatHead", "KochBackbone", "ModelConfig", "SiameseNet", "VGGBackbone",
           "WeightedL1Head", "count_parameters"]
