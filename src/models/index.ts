// cl.models: classic architectures built from cl.nn layers.
export { lenet5, type LeNet5Options } from "./lenet5.js";
export type { ClassifierOptions } from "./options.js";
export { alexnet, type AlexNetOptions } from "./alexnet.js";
export { vgg11, vgg13, vgg16, vgg19, VGGS, type VggOptions } from "./vgg.js";
export { resnet, resnet18, resnet34, resnet50, resnet101, resnet152, RESNETS, type ResNetOptions, type ResNetSpec } from "./resnet.js";
export { googlenet, inceptionAux, GOOGLENET_MODULES, type GoogLeNetOptions, type InceptionAuxOptions } from "./googlenet.js";
export { cifarResnet, type CifarResnetOptions } from "./cifar_resnet.js";
export { withHead, type WithHeadOptions } from "./transfer.js";
// MobileNetV1's architecture with fresh weights (cl.models.pretrained.mobilenetV1 loads face-api's)
export { mobilenetV1 } from "./mobilenet.js";
export type { MobileNetV1Options, MobileNetV1 } from "./pretrained/faceapi.js";
