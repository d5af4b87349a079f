"""A keypoint script written against MediaPipe's legacy Python API, the way
MediaPipe's documentation and the Python tool (multi_preprocess.py's keypoint
branch) use it: selfie segmentation, background blacked out, Holistic, then
the 78 points (pose 0..24, left hand, right hand, 11 face-mesh points).

Only the import line differs from a MediaPipe script:"""
import cv2
import numpy as np

import signprep as mp  # was: import mediapipe as mp

mp_holistic = mp.solutions.holistic
mp_selfie_segmentation = mp.solutions.selfie_segmentation

POSE_POINTS = list(range(25))
FACE_POINTS = [1, 33, 263, 133, 362, 61, 291, 105, 334, 199, 4]


def clamp01(value):
    return min(1.0, max(0.0, float(value)))


def keypoints(frames_rgb, out_size=256, confidence=0.5):
    """X [T, 156] and mask [T, 78] of a video's RGB frames, in order."""
    rows, masks = [], []
    with mp_selfie_segmentation.SelfieSegmentation(model_selection=1) as segmentation, \
            mp_holistic.Holistic(model_complexity=1, smooth_landmarks=True,
                                 refine_face_landmarks=True,
                                 min_detection_confidence=confidence,
                                 min_tracking_confidence=confidence) as holistic:
        for frame in frames_rgb:
            image = cv2.resize(frame, (out_size, out_size), interpolation=cv2.INTER_AREA)
            mask = segmentation.process(image).segmentation_mask
            image = (image * (mask > 0.5)[..., None]).astype(np.uint8)
            results = holistic.process(image)

            points, visible = [], []
            pose = results.pose_landmarks
            for index in POSE_POINTS:
                landmark = pose.landmark[index] if pose else None
                points.append((clamp01(landmark.x), clamp01(landmark.y)) if landmark else (0, 0))
                visible.append(bool(landmark) and landmark.visibility >= confidence)
            for hand in (results.left_hand_landmarks, results.right_hand_landmarks):
                for index in range(21):
                    landmark = hand.landmark[index] if hand else None
                    points.append((clamp01(landmark.x), clamp01(landmark.y)) if landmark
                                  else (0, 0))
                    visible.append(landmark is not None)
            face = results.face_landmarks
            for index in FACE_POINTS:
                landmark = face.landmark[index] if face else None
                points.append((clamp01(landmark.x), clamp01(landmark.y)) if landmark else (0, 0))
                visible.append(landmark is not None)
            rows.append(np.array(points, np.float32).reshape(-1))
            masks.append(np.array(visible, bool))
    return np.stack(rows), np.stack(masks)
