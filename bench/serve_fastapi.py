"""The FastAPI baseline of bench/serve.mjs: a typical scikit-learn model server, the way the FastAPI
and scikit-learn tutorials write one. A pydantic model of one row, a DataFrame of it, predict_proba.

  /usr/bin/python3 bench/serve_fastapi.py train <train.csv> <model.joblib>   fit and save the model
  MODEL=<model.joblib> /usr/bin/python3 -m uvicorn serve_fastapi:app --app-dir bench --port 8001

The model is the one mlops's built-in `logistic` trainer fits (its results match scikit-learn 1.2.1):
numeric features mean-imputed and standardized, categorical ones one-hot encoded (unknown → zeros),
LogisticRegression(C=1.0, lbfgs) on the churn training data. Run with Debian's python3 (/usr/bin/python3)
and its packages: python3-fastapi python3-uvicorn python3-sklearn python3-joblib python3-pandas.
"""
import os
import sys

import joblib
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel

NUMERIC = ["age", "tenure_months", "monthly_charges", "support_calls"]
CATEGORICAL = ["plan", "contract", "payment_method"]
TARGET = "churned"


def train(csv: str, out: str) -> None:
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline, make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    df = pd.read_csv(csv)
    pre = ColumnTransformer(
        [
            ("num", make_pipeline(SimpleImputer(strategy="mean"), StandardScaler()), NUMERIC),
            ("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
        ]
    )
    model = Pipeline([("pre", pre), ("clf", LogisticRegression(C=1.0, max_iter=1000))])
    model.fit(df[NUMERIC + CATEGORICAL], df[TARGET])
    joblib.dump(model, out)
    print(f"trained on {len(df)} rows; train accuracy {model.score(df[NUMERIC + CATEGORICAL], df[TARGET]):.4f}; wrote {out}")


class Customer(BaseModel):
    age: float
    tenure_months: float
    monthly_charges: float
    support_calls: float
    plan: str
    contract: str
    payment_method: str


app = FastAPI(title="churn model")
model = joblib.load(os.environ["MODEL"]) if os.environ.get("MODEL") else None


@app.get("/health")
def health():
    return {"ready": model is not None}


@app.post("/predict")
def predict(customer: Customer):
    df = pd.DataFrame([customer.dict()])
    proba = model.predict_proba(df)[0]
    return {
        "prediction": int(model.classes_[proba.argmax()]),
        "probabilities": proba.tolist(),
    }


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "train":
        train(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: serve_fastapi.py train <train.csv> <model.joblib>")
