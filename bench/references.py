"""torchvision's detectors built as the references: the layout a user fine-tunes (ResNet-50 trunk with FrozenBatchNorm2d,
stem and res2 frozen, as `*_resnet50_fpn` builds it around ImageNet weights, and as our `r50` is), random weights (this
machine has no internet), and RetinaMask's inference thresholds."""
import torchvision
from torchvision.ops import FrozenBatchNorm2d
from torchvision.models.detection.backbone_utils import _resnet_fpn_extractor
from torchvision.models.detection._utils import BoxCoder
from torchvision.ops.feature_pyramid_network import LastLevelP6P7
from common import ROOT  # noqa: F401 (puts the repository on sys.path)
from retinamask.boxes import BOX_WEIGHTS

def frozen_trunk():
    "ResNet-50 with FrozenBatchNorm2d; `_resnet_fpn_extractor(.., 3)` then freezes the stem and res2 (our freeze_at=2)."
    return torchvision.models.resnet50(weights=None, norm_layer=FrozenBatchNorm2d)

def retinanet(size, score_thresh=0.0, classes=80):
    "RetinaNet-R50-FPN with our box coder (10, 10, 5, 5), NMS 0.4, 1000 candidates per level, 100 detections."
    backbone = _resnet_fpn_extractor(frozen_trunk(), 3, returned_layers=[2, 3, 4], extra_blocks=LastLevelP6P7(256, 256))
    model = torchvision.models.detection.RetinaNet(backbone, num_classes=classes, min_size=min(size), max_size=max(size),
                                                   score_thresh=score_thresh, nms_thresh=0.4, detections_per_img=100,
                                                   topk_candidates=1000)
    model.box_coder = BoxCoder(BOX_WEIGHTS)
    return model

def retinanet_as_built(size, score_thresh=0.0, classes=80):
    "`retinanet_resnet50_fpn(weights=None, weights_backbone=None)` as built: trainable BatchNorm, every stage trainable."
    model = torchvision.models.detection.retinanet_resnet50_fpn(num_classes=classes, weights=None, weights_backbone=None,
                                                                min_size=min(size), max_size=max(size), score_thresh=score_thresh,
                                                                nms_thresh=0.4, detections_per_img=100, topk_candidates=1000)
    model.box_coder = BoxCoder(BOX_WEIGHTS)
    return model

def maskrcnn(size, score_thresh=0.0, classes=80):
    "Mask R-CNN-R50-FPN (80 classes + background) with RetinaMask's thresholds: score, per-class NMS 0.4, 100 detections."
    backbone = _resnet_fpn_extractor(frozen_trunk(), 3)
    return torchvision.models.detection.MaskRCNN(backbone, num_classes=classes + 1, min_size=min(size), max_size=max(size),
                                                 box_score_thresh=score_thresh, box_nms_thresh=0.4, box_detections_per_img=100)
