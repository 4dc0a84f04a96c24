import type { Collection, Db } from 'mongodb';
import { isDuplicateKey, type Outbox, type Role } from '@stackdrill/kit';

export interface UserDocument {
  _id: string;
  email: string;
  name: string;
  passwordHash: string;
  role: Role;
  createdAt: Date;
  outbox?: Outbox;
}

export class EmailTaken extends Error {}

/** Users in MongoDB. The unique index on `email` is what makes registration race-free. */
export class UserRepository {
  readonly collection: Collection<UserDocument>;

  constructor(db: Db) {
    this.collection = db.collection<UserDocument>('users');
  }

  async ensureIndexes(): Promise<void> {
    await this.collection.createIndex({ email: 1 }, { unique: true });
  }

  /** Inserts once; a second registration of the same email fails with EmailTaken. */
  async insert(user: UserDocument): Promise<void> {
    try {
      await this.collection.insertOne(user);
    } catch (error) {
      if (isDuplicateKey(error)) throw new EmailTaken(user.email);
      throw error;
    }
  }

  findByEmail(email: string): Promise<UserDocument | null> {
    return this.collection.findOne({ email });
  }

  findById(id: string): Promise<UserDocument | null> {
    return this.collection.findOne({ _id: id });
  }
}
