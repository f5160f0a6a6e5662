// cl.face: week 4's face verification and recognition — the triplet loss and triplet mining,
// siamese encoders, verification (1:1) and recognition (1:K) over a database of encodings,
// one-shot evaluation, and verification as binary classification on pair features.
export {
  tripletLoss, batchAll, batchHard, semiHard, minedTripletLoss,
  type TripletLossOptions, type MiningStrategy, type MiningOptions, type MinedTriplets, type MinedLossOptions,
} from "./triplet.js";
export {
  squaredDistance, verificationPairs, balancedPairs, verificationAccuracy, rocCurve, bestThreshold, equalErrorRate, tripletStats,
  type Pairs, type TripletStats, type Triplet,
} from "./distances.js";
export {
  verify, recognize, database, faceDistance, oneShotAccuracy, FaceDatabase,
  type DistanceMetric, type VerifyOptions, type Verification, type Recognition,
} from "./verify.js";
export {
  encoder, siamese, trainTriplets, encode, selectClasses, l2Normalize, L2Normalize, pairFeatures, pairBatch, verificationHead,
  type EncoderOptions, type EncodeOptions, type TrainTripletsOptions, type TrainTripletsResult, type PairForm,
} from "./siamese.js";
export {
  similarityTransform, applySimilarity, warpSimilarity, landmarkAnchors, alignFace, describeFaces, ALIGN_TEMPLATE,
  type Point, type Similarity, type FaceNets, type DescribedFace,
} from "./align.js";
